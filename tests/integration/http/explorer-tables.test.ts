import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAppServer, type AppServer } from "@/tests/support/app-server";
import { createTestDatabase, type TestDatabase } from "@/tests/support/database";
import { createCaller, explorerEnv, type TestCaller } from "@/tests/integration/explore/support/http-auth";

/**
 * GET /api/v1/tables… over HTTP against the production build, on a clone of the seeded demo
 * data (scale 0.05: 1,000 customers, 5,000 orders).
 */
let db: TestDatabase;
let app: AppServer;
let reader: TestCaller;
let sqlOnly: TestCaller;

beforeAll(async () => {
  db = await createTestDatabase("explorer_tables");
  await db.owner`analyze`;
  app = await startAppServer(explorerEnv(db, { TABLE_ROW_CAP: "100" }));
  reader = await createCaller(db, "viewer", ["tables:read"]);
  sqlOnly = await createCaller(db, "analyst", ["sql:run"]);
});
afterAll(async () => {
  await app?.stop();
  await db?.drop();
});

async function get(path: string, headers: Record<string, string> = {}, caller: TestCaller | null = reader) {
  const response = await fetch(`${app.url}${path}`, { headers: { ...(caller?.headers ?? {}), ...headers } });
  const type = response.headers.get("content-type") ?? "";
  const body: unknown = type.includes("json") ? await response.json() : await response.text();
  return { status: response.status, headers: response.headers, body };
}

const errorOf = (body: unknown) => (body as { error: { code: string; message: string; details?: { reason?: string } } }).error;

describe("GET /api/v1/tables", () => {
  it("lists the demo tables with columns and keys, to callers with tables:read only", async () => {
    const { status, body } = await get("/api/v1/tables");
    expect(status).toBe(200);
    const tables = (body as { tables: Array<{ path: string; kind: string; primaryKey: string[]; columns: unknown[] }> }).tables;
    const orders = tables.find((t) => t.path === "data.orders");
    expect(orders).toMatchObject({ kind: "table", primaryKey: ["id"] });
    expect(orders!.columns.length).toBeGreaterThan(2);
    expect(tables.some((t) => t.path === "data.customer_order_totals" && t.kind === "view")).toBe(true);
    expect(tables.some((t) => t.path.startsWith("app."))).toBe(false);
    expect((await get("/api/v1/tables", {}, null)).status).toBe(401);
    expect((await get("/api/v1/tables", {}, sqlOnly)).status).toBe(403);
  });
});

describe("GET /api/v1/tables/{schema.table}", () => {
  it("answers an array of row objects with a Content-Range, in primary-key order by default", async () => {
    const { status, headers, body } = await get("/api/v1/tables/data.orders?select=id,status&limit=5");
    expect(status).toBe(200);
    expect(headers.get("content-range")).toBe("0-4/*");
    const rows = body as Array<{ id: unknown; status: unknown }>;
    expect(rows).toHaveLength(5);
    expect(Object.keys(rows[0]!)).toEqual(["id", "status"]);
    const ids = rows.map((r) => Number(r.id));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
  });

  it("filters, orders and counts with Prefer: count=exact → 206 and the total", async () => {
    const [{ n }] = (await db.owner`select count(*)::int as n from data.orders where status = 'shipped'`) as unknown as [{ n: number }];
    const { status, headers, body } = await get("/api/v1/tables/data.orders?status=eq.shipped&order=id.desc&limit=10", { prefer: "count=exact" });
    expect(n).toBeGreaterThan(10);
    expect(status).toBe(206);
    expect(headers.get("content-range")).toBe(`0-9/${n}`);
    expect((body as Array<{ status: string }>).every((r) => r.status === "shipped")).toBe(true);
  });

  it("honours the Range header, planned and estimated counts, and the row cap", async () => {
    const ranged = await get("/api/v1/tables/data.customers?select=id", { range: "10-19", prefer: "count=exact" });
    expect(ranged.status).toBe(206);
    expect(ranged.headers.get("content-range")).toBe("10-19/1000");
    const planned = await get("/api/v1/tables/data.customers?select=id&limit=1", { prefer: "count=planned" });
    expect(planned.headers.get("content-range")).toMatch(/^0-0\/\d+$/);
    const estimated = await get("/api/v1/tables/data.customers?select=id&limit=1", { prefer: "count=estimated" });
    expect(estimated.headers.get("content-range")).toMatch(/^0-0\/\d+$/);
    const capped = await get("/api/v1/tables/data.customers?select=id&limit=5000", { prefer: "count=exact" });
    expect((capped.body as unknown[]).length).toBe(100);
    expect(capped.headers.get("content-range")).toBe("0-99/1000");
  });

  it("answers 416 for a window past the end, with Content-Range */total", async () => {
    const { status, headers, body } = await get("/api/v1/tables/data.customers?offset=5000", { prefer: "count=exact" });
    expect(status).toBe(416);
    expect(headers.get("content-range")).toBe("*/1000");
    expect(errorOf(body).code).toBe("range_not_satisfiable");
    const inverted = await get("/api/v1/tables/data.customers", { range: "20-10" });
    expect(inverted.status).toBe(416);
    const atEnd = await get("/api/v1/tables/data.customers?offset=1000", { prefer: "count=exact" });
    expect(atEnd.status).toBe(206);
    expect(atEnd.headers.get("content-range")).toBe("*/1000");
    expect(atEnd.body).toEqual([]);
  });

  it.each([
    ["/api/v1/tables/data.nope", 404, "unknown_relation"],
    ["/api/v1/tables/app.users", 404, "unknown_relation"],
    ["/api/v1/tables/data.orders?nope=eq.1", 400, "unknown_column"],
    ["/api/v1/tables/data.orders?id=zz.1", 400, "unknown_operator"],
    ["/api/v1/tables/data.orders?id=eq.abc", 400, "bad_value"],
    ["/api/v1/tables/data.orders?limit=-1", 400, "bad_limit"],
    ["/api/v1/tables/data.orders?select=id;drop table data.orders", 400, null],
    ["/api/v1/tables/data.orders?order=id;delete from data.orders", 400, null],
    ["/api/v1/tables/data.orders?order=(select 1)", 400, null],
    ["/api/v1/tables/data.orders?select=pg_read_file('x')", 400, null],
    ['/api/v1/tables/data.orders?select="id"";drop table data.orders;--"', 400, null],
    ["/api/v1/tables/data.orders?status=eq.x';drop table data.orders;--", 200, null],
    ["/api/v1/tables/data.orders?status=in.(a,b')) or 1=1;--)", 400, "malformed_list"],
    ["/api/v1/tables/data.orders%3Bdrop%20table%20data.orders", 404, "unknown_relation"],
  ])("refuses or neutralises %s (table intact)", async (path, expected, reason) => {
    const before = (await db.owner`select count(*)::int as n from data.orders`)[0]!.n;
    const { status, body } = await get(path);
    expect(status).toBe(expected);
    if (expected === 200) expect(body).toEqual([]);
    else {
      expect(errorOf(body).message.length).toBeGreaterThan(5);
      if (reason) expect(errorOf(body).details?.reason).toBe(reason);
    }
    expect((await db.owner`select count(*)::int as n from data.orders`)[0]!.n).toBe(before);
  });

  it("streams CSV with a header line and RFC 4180 escaping", async () => {
    await db.owner`create table data.csv_cases (id int primary key, label text, note text)`;
    await db.owner`grant select on data.csv_cases to ${db.owner(db.env.DB_ROLE_PREFIX + "readonly_user")}`.catch(() => {});
    await db.owner`insert into data.csv_cases values (1, 'plain', null), (2, 'comma, inside', ''), (3, 'quote "q"', 'line
break'), (4, ' lead', 'x')`;
    // The catalog is cached for 30 s; a fresh server process sees the new table at once.
    const fresh = await startAppServer(explorerEnv(db));
    try {
      const response = await fetch(`${fresh.url}/api/v1/tables/data.csv_cases?order=id`, { headers: { ...reader.headers, accept: "text/csv" } });
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toMatch(/^text\/csv/);
      expect(await response.text()).toBe('id,label,note\r\n1,plain,\r\n2,"comma, inside",""\r\n3,"quote ""q""","line\nbreak"\r\n4," lead",x\r\n');
    } finally {
      await fresh.stop();
    }
  });

  it("streams a whole table as CSV beyond the JSON row cap", async () => {
    const response = await fetch(`${app.url}/api/v1/tables/data.orders?select=id`, { headers: { ...reader.headers, accept: "text/csv" } });
    expect(response.status).toBe(200);
    const lines = (await response.text()).trimEnd().split("\r\n");
    expect(lines[0]).toBe("id");
    expect(lines).toHaveLength(5001);
  });
});

describe("GET /api/v1/openapi.json", () => {
  it("is OpenAPI 3.1 and public", async () => {
    const response = await fetch(`${app.url}/api/v1/openapi.json`);
    const body = await response.json();
    expect(response.status).toBe(200);
    expect(body).toMatchObject({ openapi: "3.1.0", paths: { "/api/v1/tables/{table}": { get: {} }, "/api/v1/sql": { post: {} } } });
  });
});
