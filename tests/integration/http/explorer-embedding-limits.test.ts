import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyGrants } from "@/db/setup";
import { startAppServer, type AppServer } from "@/tests/support/app-server";
import { createTestDatabase, type TestDatabase } from "@/tests/support/database";
import { createCaller, explorerEnv, type TestCaller } from "@/tests/integration/explore/support/http-auth";

/**
 * Embedding cannot expand past the limits: the row cap bounds a whole answer, embedded rows
 * included, and the EXPLAIN cost guard refuses a wide embedding before any row is read. On the
 * demo data (1,000 customers, 5,000 orders) plus `data.clicks`, 200,000 rows whose foreign key has
 * no index, so that an embed of them scans the table once per parent — the runaway shape.
 * Every refusal has a control that must pass on the same server.
 */
const ROW_CAP = 100;
const MAX_COST = 100_000;

let db: TestDatabase;
let app: AppServer;
let reader: TestCaller;

beforeAll(async () => {
  db = await createTestDatabase("explorer_embed_limits");
  await db.owner.unsafe(`
    create table data.clicks (id bigint primary key, customer_id bigint not null references data.customers (id));
    insert into data.clicks select g, 1 + g % 1000 from generate_series(1, 200000) g;
    analyze data.clicks;`);
  await applyGrants(db.owner, db.url, db.env, () => {});
  app = await startAppServer(explorerEnv(db, { TABLE_ROW_CAP: String(ROW_CAP), SQL_MAX_COST: String(MAX_COST) }));
  reader = await createCaller(db, "viewer", ["tables:read"]);
});
afterAll(async () => {
  await app?.stop();
  await db?.drop();
});

async function get(path: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${app.url}/api/v1/tables/${path}`, { headers: { ...reader.headers, ...headers } });
  return { status: response.status, headers: response.headers, body: (await response.json()) as unknown };
}

const errorOf = (body: unknown) => (body as { error: { code: string; message: string; details: Record<string, unknown> } }).error;

/** Orders of the first `customers` customers, as the database counts them. */
async function ordersOfFirst(customers: number): Promise<number> {
  const [row] = await db.owner`select count(*)::int as n from data.orders where customer_id <= ${customers}`;
  return (row as { n: number }).n;
}

describe("the row cap over embedded rows", () => {
  it("refuses a page whose embedded arrays would take it past the row cap, with the numbers", async () => {
    const embedded = await ordersOfFirst(50);
    expect(50 + embedded).toBeGreaterThan(ROW_CAP);
    const { status, body } = await get("data.customers?select=id,orders(id)&limit=50");
    expect(status).toBe(400);
    expect(errorOf(body)).toMatchObject({
      code: "bad_request",
      details: { reason: "too_many_rows", rows: 50, embeddedRows: embedded, rowCap: ROW_CAP },
    });
    expect(errorOf(body).message).toMatch(/row cap of 100/);
    // HEAD and the singular object are refused for the same page, not answered from its first row.
    const head = await fetch(`${app.url}/api/v1/tables/data.customers?select=id,orders(id)&limit=50`, { method: "HEAD", headers: reader.headers });
    expect(head.status).toBe(400);
  });

  it("answers the same embedding on a smaller page, or with the embedded rows limited (controls)", async () => {
    const embedded = await ordersOfFirst(10);
    expect(10 + embedded).toBeLessThanOrEqual(ROW_CAP);
    const small = await get("data.customers?select=id,orders(id)&limit=10");
    expect(small.status).toBe(200);
    const rows = small.body as Array<{ id: number; orders: unknown[] }>;
    expect(rows).toHaveLength(10);
    expect(rows.reduce((n, r) => n + r.orders.length, 0)).toBe(embedded);
    const limited = await get("data.customers?select=id,orders(id)&limit=50&orders.limit=1");
    expect(limited.status).toBe(200);
    expect((limited.body as Array<{ orders: unknown[] }>).every((r) => r.orders.length <= 1)).toBe(true);
  });

  it("counts arrays reached through a to-one embed and a spread too", async () => {
    // Each order's customer with all of that customer's orders: ~5 embedded rows per order.
    const through = await get("data.orders?select=id,customers(id,orders(id))&limit=40");
    expect(through.status).toBe(400);
    expect(errorOf(through.body).details).toMatchObject({ reason: "too_many_rows" });
    const spread = await get("data.orders?select=id,...customers(orders(id))&limit=40");
    expect(spread.status).toBe(400);
    expect((await get("data.orders?select=id,...customers(orders(id))&limit=5")).status).toBe(200);
  });
});

describe("the cost guard over embedded subqueries", () => {
  it("refuses a wide embedding the planner prices above the limit, before reading a row", async () => {
    const { status, body } = await get("data.customers?select=id,clicks(id)&limit=100");
    expect(status).toBe(422);
    expect(errorOf(body)).toMatchObject({ code: "unprocessable", details: { reason: "too_expensive", maxCost: MAX_COST } });
    expect(errorOf(body).details.cost as number).toBeGreaterThan(MAX_COST);
    // With !inner and a count, the guard runs first too.
    expect((await get("data.customers?select=id,clicks!inner(id)&limit=100", { prefer: "count=exact" })).status).toBe(422);
  });

  it("answers the same embed on a few parents, and an indexed embed on a full page (controls)", async () => {
    const few = await get("data.customers?select=id,clicks(id)&limit=2&clicks.limit=3");
    expect(few.status).toBe(200);
    expect(few.body).toEqual([
      { id: 1, clicks: [{ id: 1000 }, { id: 2000 }, { id: 3000 }] },
      { id: 2, clicks: [{ id: 1 }, { id: 1001 }, { id: 2001 }] },
    ]);
    const indexed = await get("data.orders?select=id,customers(id,full_name)&limit=100");
    expect(indexed.status).toBe(200);
    expect(indexed.body).toHaveLength(100);
  });
});
