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

/** Orders of the first `customers` customers and their items, as the database counts them. */
async function ordersAndItemsOfFirst(customers: number): Promise<{ orders: number; items: number }> {
  const [row] = await db.owner`
    select count(distinct o.id)::int as orders, count(i.id)::int as items
    from data.orders o left join data.order_items i on i.order_id = o.id where o.customer_id <= ${customers}`;
  return row as { orders: number; items: number };
}

describe("the row cap over nested to-many embeds", () => {
  it("counts the rows of arrays inside arrays: refused although the page and its first level fit", async () => {
    const { orders, items } = await ordersAndItemsOfFirst(10);
    // The first level alone would pass: only counting the nested items takes this page over the cap.
    expect(10 + orders).toBeLessThanOrEqual(ROW_CAP);
    expect(10 + orders + items).toBeGreaterThan(ROW_CAP);
    expect((await get("data.customers?select=id,orders(id)&limit=10")).status).toBe(200);
    const { status, body } = await get("data.customers?select=id,orders(id,order_items(quantity,products(name)))&limit=10");
    expect(status).toBe(400);
    expect(errorOf(body)).toMatchObject({
      code: "bad_request",
      details: { reason: "too_many_rows", rows: 10, embeddedRows: orders + items, rowCap: ROW_CAP },
    });
    // Through a to-one between the two levels, and for HEAD, the same.
    const through = await get("data.customers?select=id,orders(id,customers(id,orders(id)))&limit=10");
    expect(through.status).toBe(400);
    const head = await fetch(`${app.url}/api/v1/tables/data.customers?select=id,orders(id,order_items(id))&limit=10`, {
      method: "HEAD",
      headers: reader.headers,
    });
    expect(head.status).toBe(400);
  });

  it("answers the same nesting on a smaller page, or with the inner level limited by path (controls)", async () => {
    const { orders, items } = await ordersAndItemsOfFirst(3);
    expect(3 + orders + items).toBeLessThanOrEqual(ROW_CAP);
    const small = await get("data.customers?select=id,orders(id,order_items(quantity,products(name)))&limit=3");
    expect(small.status).toBe(200);
    const rows = small.body as Array<{ orders: Array<{ order_items: Array<{ products: { name: string } }> }> }>;
    expect(rows).toHaveLength(3);
    expect(rows.flatMap((r) => r.orders)).toHaveLength(orders);
    expect(rows.flatMap((r) => r.orders.flatMap((o) => o.order_items))).toHaveLength(items);
    expect(typeof rows[0]!.orders[0]!.order_items[0]!.products.name).toBe("string");
    // The refused page of 10, each level limited by path: at most 2 orders a customer, 1 item an order.
    const limited = await get("data.customers?select=id,orders(id,order_items(id))&limit=10&orders.limit=2&orders.order_items.limit=1");
    expect(limited.status).toBe(200);
    const orderRows = (limited.body as Array<{ orders: Array<{ order_items: unknown[] }> }>).flatMap((r) => r.orders);
    const [row] = await db.owner`
      select sum(least(n, 2))::int as n from (select count(*) as n from data.orders where customer_id <= 10 group by customer_id) o`;
    expect(orderRows).toHaveLength((row as { n: number }).n);
    expect(orderRows.every((o) => o.order_items.length === 1)).toBe(true);
  });

  it("catches a truncated inner array: one cut at the row cap always takes the page over it", async () => {
    // Customer 1's 200 clicks below one of their orders: that array is cut at ROW_CAP, so the page is refused, never answered short.
    const nested = "data.customers?select=id,orders(id,customers(clicks(id)))&orders=not.is.null&limit=1&orders.limit=1";
    const { status, body } = await get(nested);
    expect(status).toBe(400);
    expect(errorOf(body).details).toMatchObject({ reason: "too_many_rows", rows: 1, embeddedRows: 1 + ROW_CAP });
    // Control: the same read with the clicks limited by path answers every one asked for.
    const fine = await get(`${nested}&orders.customers.clicks.limit=5`);
    expect(fine.status).toBe(200);
    expect((fine.body as Array<{ orders: Array<{ customers: { clicks: unknown[] } }> }>)[0]!.orders[0]!.customers.clicks).toHaveLength(5);
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
