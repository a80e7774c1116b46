import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAppServer, type AppServer } from "@/tests/support/app-server";
import { createTestDatabase, type TestDatabase } from "@/tests/support/database";
import { createCaller, explorerEnv, type TestCaller } from "@/tests/integration/explore/support/http-auth";

/**
 * Bounded results (issue 13, item 4): a SQL run has a byte cap as well as a row cap, for JSON and
 * CSV, and memory per request stays bounded whatever one row holds. Two production servers: one
 * with a small SQL_MAX_BYTES to see the cap's edges, one with the defaults for the 900 MB value.
 */
const CAP = 100_000;
let db: TestDatabase;
let small: AppServer;
let defaults: AppServer;
let analyst: TestCaller;

beforeAll(async () => {
  db = await createTestDatabase("sql_bounds");
  // Before the servers start, so that their catalog has it.
  await db.owner.unsafe("create table data.wide as select g as id, repeat('y', 60000) as v from generate_series(1, 10) g");
  [small, defaults] = await Promise.all([
    startAppServer(explorerEnv(db, { SQL_MAX_BYTES: String(CAP), SQL_MAX_ROWS: "1000" })),
    startAppServer(explorerEnv(db)),
  ]);
  analyst = await createCaller(db, "analyst", ["sql:run", "tables:read"]);
}, 60_000);
afterAll(async () => {
  await small?.stop();
  await defaults?.stop();
  await db?.drop();
});

function post(app: AppServer, sql: string, accept = "application/json") {
  return fetch(`${app.url}/api/v1/sql`, {
    method: "POST",
    headers: { ...analyst.headers, "content-type": "application/json", accept },
    body: JSON.stringify({ sql, maxRows: 1000 }),
  });
}

interface SqlBody {
  rows: unknown[][];
  rowCount: number;
  truncated: boolean;
  truncatedBy: string | null;
}

describe("SQL_MAX_BYTES", () => {
  it("stops a JSON result at the byte cap and says so, like the row cap", async () => {
    // 1,000 bytes a row: 100 rows fit in 100,000 bytes.
    const capped = (await (await post(small, "select repeat('x', 1000) as v from generate_series(1, 500)")).json()) as SqlBody;
    expect(capped).toMatchObject({ rowCount: 100, truncated: true, truncatedBy: "bytes" });
    expect(capped.rows).toHaveLength(100);
    // Control: a result under the cap comes back whole.
    const whole = (await (await post(small, "select repeat('x', 1000) as v from generate_series(1, 99)")).json()) as SqlBody;
    expect(whole).toMatchObject({ rowCount: 99, truncated: false, truncatedBy: null });
    // The row cap is reported the same way, with its own name.
    const rows = (await (await post(small, "select g from generate_series(1, 5000) g")).json()) as SqlBody;
    expect(rows).toMatchObject({ rowCount: 1000, truncated: true, truncatedBy: "rows" });
  });

  it("stops a CSV result at the byte cap", async () => {
    const capped = await post(small, "select repeat('x', 1000) as v from generate_series(1, 500)", "text/csv");
    expect(capped.status).toBe(200);
    const lines = (await capped.text()).split("\r\n").filter(Boolean);
    expect(lines).toHaveLength(1 + 100);
    const whole = await post(small, "select repeat('x', 1000) as v from generate_series(1, 99)", "text/csv");
    expect((await whole.text()).split("\r\n").filter(Boolean)).toHaveLength(1 + 99);
  });

  it("refuses a single row larger than the cap with a clear 422, and the server goes on", async () => {
    const response = await post(small, "select repeat('x', 300000) as v");
    expect(response.status).toBe(422);
    expect(await response.json()).toEqual({
      error: { code: "unprocessable", message: expect.stringMatching(/larger than the limit/), details: { reason: "too_large", maxBytes: CAP } },
    });
    // Control: a row just under the cap is answered, and the next run on the pool is fine.
    const fits = (await (await post(small, "select repeat('x', 90000) as v")).json()) as SqlBody;
    expect(fits).toMatchObject({ rowCount: 1, truncated: false });
    expect((fits.rows[0]![0] as string).length).toBe(90000);
  });

  it("bounds a table read's memory too: a page of wide rows is streamed a bounded batch at a time", async () => {
    // The table API reads through the same cursor and the same per-batch bound (SQL_MAX_BYTES);
    // its JSON page is streamed (lib/explore/table-read.ts), so the page is whole — 600 kB past a
    // 100 kB cap — while no more than a batch of it is in memory.
    const page = await fetch(`${small.url}/api/v1/tables/data.wide?order=id`, { headers: analyst.headers });
    expect(page.status).toBe(200);
    const rows = (await page.json()) as Array<{ id: number; v: string }>;
    expect(rows.map((r) => r.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(rows.every((r) => r.v.length === 60000)).toBe(true);
    expect(page.headers.get("content-range")).toBe("0-9/*");
  });

  it("answers select repeat('x', 900000000) with a 4xx, without the server's memory following the value", async () => {
    const pid = defaults.process.pid!;
    const rssMb = () => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]) / 1024;
    const baseline = rssMb();
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, rssMb())), 50);
    const started = performance.now();
    const response = await post(defaults, "select repeat('x', 900000000) as v");
    const body = (await response.json()) as { error: { code: string; details: { reason: string } } };
    const seconds = (performance.now() - started) / 1000;
    clearInterval(sampler);
    console.log(
      `repeat('x', 900000000): ${response.status} ${body.error?.details?.reason} after ${seconds.toFixed(1)} s; server RSS +${(peak - baseline).toFixed(0)} MB`,
    );
    expect(response.status).toBe(422);
    // Stopped by the byte bound (50 MB) or, on a machine slow to build the value, by the timeout.
    expect(["too_large", "timeout"]).toContain(body.error.details.reason);
    // The value never reaches the server's memory: a fraction of its 900 MB (main: +1.8 GB, or a 500).
    expect(peak - baseline).toBeLessThan(300);
    // Control: the same server answers a query right after.
    expect((await (await post(defaults, "select 1 as one")).json()) as SqlBody).toMatchObject({ rows: [[1]] });
  }, 60_000);
});
