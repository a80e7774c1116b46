import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAppServer, type AppServer } from "@/tests/support/app-server";
import { createTestDatabase, type TestDatabase } from "@/tests/support/database";
import { createCaller, explorerEnv, type TestCaller } from "@/tests/integration/explore/support/http-auth";

/** POST /api/v1/sql over HTTP against the production build: results, refusals, cancel, CSV memory, audit. */
let db: TestDatabase;
let app: AppServer;
let analyst: TestCaller;
let viewer: TestCaller;

beforeAll(async () => {
  db = await createTestDatabase("explorer_sql");
  app = await startAppServer(explorerEnv(db, { SQL_TIMEOUT_MS: "60000", SQL_MAX_ROWS: "500" }));
  analyst = await createCaller(db, "analyst", ["sql:run"]);
  viewer = await createCaller(db, "viewer", ["tables:read", "queries:run"]);
});
afterAll(async () => {
  await app?.stop();
  await db?.drop();
});

function post(body: unknown, options: { caller?: TestCaller; accept?: string; signal?: AbortSignal } = {}) {
  return fetch(`${app.url}/api/v1/sql`, {
    method: "POST",
    headers: { ...(options.caller ?? analyst).headers, "content-type": "application/json", accept: options.accept ?? "application/json" },
    body: JSON.stringify(body),
    signal: options.signal,
  });
}

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

async function auditRows(sql: string) {
  return db.owner<
    { action: string; via: string; outcome: string; rows: number | null; actor_token_id: string | null; details: Record<string, unknown> }[]
  >`
    select action, via, outcome, rows, actor_token_id, details from app.audit_events
    where details->>'sqlSha256' = ${sha256(sql)} order by id`;
}

describe("POST /api/v1/sql", () => {
  it("answers columns, rows, rowCount, truncated and elapsedMs, and audits the run", async () => {
    const sql = "select id, status, $1::int as n from data.orders order by id limit 3";
    const response = await post({ sql, params: [7] });
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      columns: Array<{ name: string; type: string }>;
      rows: unknown[][];
      rowCount: number;
      truncated: boolean;
      elapsedMs: number;
    };
    expect(body.columns.map((c) => c.name)).toEqual(["id", "status", "n"]);
    expect(body.columns[2]!.type).toBe("integer");
    expect(body.rows).toHaveLength(3);
    expect(body.rows[0]![2]).toBe(7);
    expect(body).toMatchObject({ rowCount: 3, truncated: false });
    expect(body.elapsedMs).toBeGreaterThanOrEqual(0);
    const [event] = await auditRows(sql);
    expect(event).toMatchObject({ action: "sql.run", via: "token", outcome: "ok", rows: 3 });
    expect(event!.actor_token_id).toBeTruthy();
    expect(event!.details.params).toEqual(["7"]);
  });

  it("caps JSON rows at SQL_MAX_ROWS and says so", async () => {
    const body = (await (await post({ sql: "select g from generate_series(1, 2000) g", maxRows: 100000 })).json()) as {
      rowCount: number;
      truncated: boolean;
    };
    expect(body).toMatchObject({ rowCount: 500, truncated: true });
  });

  it("answers EXPLAIN and SHOW with their rows (Postgres runs them to the end, past a cursor's row limit)", async () => {
    const explained = (await (await post({ sql: "explain (format json) select id from data.orders where id = 1" })).json()) as {
      columns: Array<{ name: string; type: string }>;
      rows: unknown[][];
    };
    expect(explained.columns).toEqual([{ name: "QUERY PLAN", type: "json" }]);
    expect(explained.rows).toHaveLength(1);
    const plan = explained.rows[0]![0];
    const parsed = (typeof plan === "string" ? JSON.parse(plan) : plan) as Array<{ Plan: { "Node Type": string } }>;
    expect(parsed[0]!.Plan["Node Type"]).toMatch(/Scan/);
    // SHOW reads the run's own setting: the SET LOCAL of the sandbox.
    const shown = (await (await post({ sql: "show statement_timeout" })).json()) as { rows: unknown[][] };
    expect(shown.rows).toEqual([["1min"]]);
    // Control: a SELECT through the cursor still answers as before.
    const selected = (await (await post({ sql: "select 1 as one" })).json()) as { rows: unknown[][] };
    expect(selected.rows).toEqual([[1]]);
  });

  it("refuses writes, several statements and bad SQL with a clear 4xx carrying the position, audited as errors", async () => {
    const before = (await db.owner`select count(*)::int as n from data.orders`)[0]!.n;
    for (const [sql, status, reason] of [
      ["delete from data.orders", 400, "statement_not_allowed"],
      ["select 1; delete from data.orders", 400, "multiple_statements"],
      ["select * from app.users", 403, "permission_denied"],
      ["select idd from data.orders", 400, "undefined_object"],
    ] as const) {
      const response = await post({ sql });
      expect(response.status, sql).toBe(status);
      const { error } = (await response.json()) as { error: { message: string; details: { reason: string; position?: number } } };
      expect(error.details.reason).toBe(reason);
      if (reason === "undefined_object") expect(error.details.position).toBe(8);
      const [event] = await auditRows(sql);
      expect(event).toMatchObject({ action: "sql.run", outcome: "error", rows: 0 });
    }
    expect((await db.owner`select count(*)::int as n from data.orders`)[0]!.n).toBe(before);
  });

  it("needs sql:run and validates the body", async () => {
    expect((await post({ sql: "select 1" }, { caller: viewer })).status).toBe(403);
    expect((await post({ sql: "" })).status).toBe(400);
    expect((await post({ sql: "select 1", extra: true })).status).toBe(400);
    expect((await post({ sql: "select 1", params: [{ a: 1 }] })).status).toBe(400);
  });

  it("cancels the query in Postgres when the client goes away", async () => {
    const sql = "select pg_sleep(30) as http_cancel_marker";
    const controller = new AbortController();
    const pending = post({ sql }, { signal: controller.signal }).catch((e: unknown) => e);
    const activeCount = async () =>
      (
        await db.owner`select count(*)::int as n from pg_stat_activity where query like '%http_cancel_marker%' and state = 'active' and pid <> pg_backend_pid()`
      )[0]!.n;
    for (let i = 0; i < 50 && (await activeCount()) === 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await activeCount()).toBe(1);
    controller.abort();
    await pending;
    let gone = false;
    for (let i = 0; i < 50 && !gone; i++) {
      gone = (await activeCount()) === 0;
      if (!gone) await new Promise((r) => setTimeout(r, 100));
    }
    expect(gone).toBe(true);
    for (let i = 0; i < 50 && (await auditRows(sql)).length === 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect((await auditRows(sql))[0]?.outcome).toBe("cancelled");
  });

  it("streams a 1M-row CSV with flat server memory", async () => {
    const pid = app.process.pid!;
    const rssMb = () => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]) / 1024;
    const baseline = rssMb();
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, rssMb())), 50);
    const sql = "select g as id, md5(g::text) as hash, 'x,\"y\"' as tricky from generate_series(1, 1000000) g";
    const response = await post({ sql, maxRows: 1_000_000 }, { accept: "text/csv" });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/csv/);
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let lines = 0;
    let bytes = 0;
    let tail = "";
    let first = "";
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.byteLength;
      const text = tail + decoder.decode(value, { stream: true });
      const parts = text.split("\r\n");
      tail = parts.pop()!;
      if (lines <= 1 && parts.length > 1 - lines) first = parts[1 - lines]!;
      lines += parts.length;
    }
    clearInterval(sampler);
    expect(lines).toBe(1_000_001);
    expect(first).toBe(`1,c4ca4238a0b923820dcc509a6f75849b,"x,""y"""`);
    expect(bytes).toBeGreaterThan(40_000_000);
    const growth = peak - baseline;
    console.log(
      `1M-row CSV: ${(bytes / 1e6).toFixed(1)} MB streamed; server RSS ${baseline.toFixed(0)} → peak ${peak.toFixed(0)} MB (+${growth.toFixed(0)} MB)`,
    );
    expect(growth).toBeLessThan(150);
    const [event] = await auditRows(sql);
    expect(event).toMatchObject({ outcome: "ok", rows: 1_000_000 });
  });
});
