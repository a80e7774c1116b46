import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closePools } from "@/lib/db/clients";
import { resetEnvCache } from "@/lib/env";
import { getCatalog, invalidateCatalog } from "@/lib/explore/catalog-cache";
import { createTestDatabase, type TestDatabase } from "@/tests/support/database";

/** The catalog as the readonly role sees it in pg_catalog, on a clone of the demo data. */
let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase("catalog");
  await db.owner`comment on table data.orders is 'One row per order'`;
  await db.owner`comment on column data.orders.status is 'pending, paid, shipped…'`;
  await db.owner`create table data.pairs (a int, b text, c int, primary key (b, a))`;
  await db.owner`create table data.hidden (id int)`;
  await db.owner`revoke select on data.hidden from public`;
  const { roleCredentials } = await import("@/lib/db/roles");
  await db.owner.unsafe(`revoke select on data.hidden from "${roleCredentials(db.env, "readonly").user}"`);
  await db.owner`analyze data.orders`;
  Object.assign(process.env, db.envVars());
  resetEnvCache();
  invalidateCatalog();
});
afterAll(async () => {
  await closePools(1);
  await db.drop();
});

describe("getCatalog", () => {
  it("reads relations, columns, keys, estimates and comments the readonly role may select", async () => {
    const catalog = await getCatalog();
    const data = catalog.schemas.find((s) => s.name === "data")!;
    const orders = data.relations.find((r) => r.name === "orders")!;
    expect(orders).toMatchObject({ kind: "table", primaryKey: ["id"], comment: "One row per order", estimatedRows: 5000 });
    expect(orders.columns[0]).toMatchObject({ name: "id", type: "int8", nullable: false, ordinal: 1 });
    expect(orders.columns.find((c) => c.name === "status")).toMatchObject({ type: "text", comment: "pending, paid, shipped…" });
    expect(data.relations.find((r) => r.name === "pairs")!.primaryKey).toEqual(["b", "a"]);
    expect(data.relations.find((r) => r.name === "customer_order_totals")).toMatchObject({ kind: "view", primaryKey: [] });
    expect(data.relations.some((r) => r.name === "hidden")).toBe(false);
    expect(catalog.schemas.map((s) => s.name)).toEqual(["data"]);
  });

  it("is cached and shared by concurrent callers", async () => {
    const [a, b] = await Promise.all([getCatalog(), getCatalog()]);
    expect(a).toBe(b);
    expect(await getCatalog()).toBe(a);
  });
});
