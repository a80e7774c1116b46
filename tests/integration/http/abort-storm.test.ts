import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { roleCredentials } from "@/lib/db/roles";
import { startAppServer, type AppServer } from "@/tests/support/app-server";
import { createTestDatabase, type TestDatabase } from "@/tests/support/database";
import {
  CSV_EVENTS,
  CUSTOMERS_TABLE,
  STORM_SERVER_ENV,
  formatStorm,
  measureDrain,
  runAbortStorm,
  type AbortKind,
  type DrainReport,
  type RoleNames,
  type StormReport,
} from "@/tests/support/abort-storm";
import { createCaller, explorerEnv, type TestCaller } from "@/tests/integration/explore/support/http-auth";

/**
 * Issue 12, the quick abort storm: verifier streams (`?id=eq.N` must be row N, `select $1::int`
 * must be N) next to client aborts of each kind, each phase on a fresh production server over
 * a clone of the seeded test data (1,000 customers, 5,000 orders, 12,500 events), readonly
 * pool of 4. A connection that goes back dirty shows as a wrong answer, an innocent cancel, a
 * 5xx, or a pool that does not drain.
 *
 * The CONTROL phase runs the same verifiers without aborters: it must be all right, or the
 * verifier itself is broken and the storm phases prove nothing.
 */
let db: TestDatabase;
let caller: TestCaller;
let roles: RoleNames;

const VERIFIERS = 6;
const ABORTERS = 6;
const CONTROL_REQUESTS = 300;
/** Half of them aborters' requests. */
const PHASE_REQUESTS = 400;
/** Generous on purpose (the issue's goal is 1 s); the measured time is printed. */
const DRAIN_WITHIN_MS = 5000;

beforeAll(async () => {
  db = await createTestDatabase("abort_storm");
  await db.owner`analyze`;
  caller = await createCaller(db, "admin", ["tables:read", "sql:run", "admin"]);
  roles = {
    readonly: roleCredentials(db.env, "readonly").user,
    app: roleCredentials(db.env, "app").user,
    admin: roleCredentials(db.env, "admin").user,
  };
});
afterAll(async () => {
  await db?.drop();
});

async function phase(
  label: string,
  kinds: readonly AbortKind[],
  requests: number,
  aborters: number,
  maxDurationMs = 10_000,
): Promise<{ storm: StormReport; drain: DrainReport; output: string }> {
  // Info level: the log's request lines are part of what is checked (telemetry honesty).
  const app: AppServer = await startAppServer(explorerEnv(db, { ...STORM_SERVER_ENV, LOG_LEVEL: "info" }));
  try {
    const storm = await runAbortStorm({
      url: app.url,
      token: caller.token,
      requests,
      verifiers: VERIFIERS,
      aborters,
      kinds,
      verifyTable: CUSTOMERS_TABLE(1000),
      csvTable: CSV_EVENTS,
      jsonTable: "data.orders",
      // Bounds a phase on a wedged pool (every verifier then waits out the acquire timeout).
      maxDurationMs,
      requestTimeoutMs: 15_000,
    });
    const drain = await measureDrain({ url: app.url, adminToken: caller.token, superuser: db.owner, roles, waitMs: DRAIN_WITHIN_MS });
    console.log(formatStorm(label, storm));
    console.log(
      `[${label}] drain: readonly inUse 0 after ${drain.inUseZeroMs ?? `>${DRAIN_WITHIN_MS}`} ms, no idle-in-transaction backend after ${drain.noIdleInTransactionMs ?? `>${DRAIN_WITHIN_MS}`} ms; ` +
        `backends ${JSON.stringify(drain.backends.perRole)}, idle in transaction ${JSON.stringify(drain.backends.idleInTransaction)}, active ${JSON.stringify(drain.backends.active)}; pools ${JSON.stringify(drain.pools)}`,
    );
    for (const [kind, list] of Object.entries(storm.samples)) {
      for (const sample of list.slice(0, 3))
        console.log(`[${label}] sample ${kind}: ${sample.kind} ${sample.path} → ${sample.status} ${sample.detail}`);
    }
    return { storm, drain, output: app.output() };
  } finally {
    await app.stop();
  }
}

/** The server's own JSON log lines at error level or above, and its "connection lost" warnings. */
function serverComplaints(output: string) {
  const lines = output.split("\n").filter((line) => line.startsWith("{"));
  const parsed = lines.flatMap((line) => {
    try {
      return [JSON.parse(line) as { level?: number; msg?: string; status?: number }];
    } catch {
      return [];
    }
  });
  return {
    requestLines: parsed.filter((entry) => entry.msg === "request").length,
    clientAborted: parsed.filter((entry) => entry.msg === "request" && entry.status === 499).length,
    errors: parsed.filter((entry) => (entry.level ?? 0) >= 50).map((entry) => entry.msg),
    connectionsLost: parsed.filter((entry) => entry.msg === "database connection lost").length,
  };
}

function expectClean({ storm, drain, output }: { storm: StormReport; drain: DrainReport; output: string }) {
  // Telemetry tells the truth: a client abort is no server error, a CancelRequest no lost connection.
  const complaints = serverComplaints(output);
  // Control: the log was read at all (one line per API request).
  expect(complaints.requestLines).toBeGreaterThan(storm.requests / 4);
  expect.soft(complaints.errors, "server log lines at error level (client aborts are not errors)").toEqual([]);
  expect.soft(complaints.connectionsLost, '"database connection lost" warnings (nothing was lost)').toBe(0);
  // Soft: one run reports every failure kind at once.
  expect.soft(storm.wrongAnswers, "wrong answers (a 200 that is not row N / not N)").toBe(0);
  expect.soft(storm.innocentCancels, "innocent cancels (57014 on a request nobody aborted)").toBe(0);
  expect.soft(storm.serverErrors, "5xx (503 excepted) of requests nobody aborted").toBe(0);
  expect.soft(storm.unavailable, "503s of requests nobody aborted (pool_saturated / pool_timeout: a wedged pool)").toEqual({});
  expect.soft(storm.otherVerifierErrors, "other non-2xx answers of verifiers").toEqual({});
  expect.soft(storm.networkErrors + storm.hung, "network errors and hung requests nobody aborted").toBe(0);
  expect.soft(drain.inUseZeroMs, `readonly inUse 0 within ${DRAIN_WITHIN_MS} ms after the storm`).not.toBeNull();
  expect.soft(drain.noIdleInTransactionMs, `no readonly backend idle in transaction within ${DRAIN_WITHIN_MS} ms after the storm`).not.toBeNull();
  expect.soft(drain.overPoolSize, "backends per role above the pool size").toEqual({});
}

describe("abort storm over HTTP (issue 12)", () => {
  it("CONTROL: the verifier streams alone get every answer right", { timeout: 90_000 }, async () => {
    const result = await phase("control", [], CONTROL_REQUESTS, 0, 40_000);
    // A verifier that could not tell right from wrong would pass the storm too: it must have
    // checked (and accepted) every single answer here.
    expect(result.storm.requests).toBe(CONTROL_REQUESTS);
    expect(result.storm.byKind["verify-table"].requests).toBeGreaterThan(CONTROL_REQUESTS / 4);
    expect(result.storm.byKind["verify-sql"].requests).toBeGreaterThan(CONTROL_REQUESTS / 4);
    expect(result.storm.verifierOk).toBe(result.storm.requests);
    expect(result.storm.aborted).toBe(0);
    expectClean(result);
  });

  // One fresh server per kind, so each figure belongs to its kind of abort.
  const phases: Array<[AbortKind, string]> = [
    ["csv-early", "CSV exports aborted before the first byte or right after the headers"],
    ["csv-mid", "CSV exports aborted mid-stream, after K bytes"],
    ["json", "JSON table reads aborted at random moments"],
    ["sql", "SQL runs aborted mid-statement (pg_sleep 50–400 ms, aborted 20–300 ms in)"],
  ];
  for (const [kind, description] of phases) {
    it(`${kind}: ${description} — every other answer stays right and the pool drains`, { timeout: 90_000 }, async () => {
      const result = await phase(kind, [kind], PHASE_REQUESTS, ABORTERS);
      // The storm really was one: most aborters' requests were aborted by the client.
      expect(result.storm.byKind[kind].aborted).toBeGreaterThan(result.storm.byKind[kind].requests / 3);
      expect(result.storm.aborted).toBeGreaterThan(result.storm.requests / 4);
      expect(result.storm.verifierRequests).toBeGreaterThan(30);
      // Aborted before their answer began, these are logged as what they are: 499, at info.
      if (kind === "sql" || kind === "json") expect(serverComplaints(result.output).clientAborted).toBeGreaterThan(0);
      expectClean(result);
    });
  }
});
