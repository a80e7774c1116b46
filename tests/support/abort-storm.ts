import http from "node:http";
import postgres, { type Sql } from "postgres";

/**
 * The abort-storm driver (issue 12): black-box, against a running app server over HTTP only.
 * It starts nothing itself. Given the app's URL and a token (scopes tables:read + sql:run), it
 * runs a bounded number of requests with bounded concurrency:
 *
 * - verifier streams whose every answer is checked: `GET /api/v1/tables/<table>?id=eq.N` must be
 *   exactly row N (id and the row's known e-mail), `POST /api/v1/sql` `select $1::int as n`
 *   must answer N;
 * - aborters of four kinds: CSV table exports aborted early (before the first byte / right
 *   after the headers) and mid-stream (after K body bytes), JSON table reads aborted at random
 *   moments, SQL runs aborted mid-statement. Aborts are `req.destroy()` on a socket of its own,
 *   so the server really sees the connection close; an abort is counted only when the driver
 *   itself destroyed the request before the response had ended.
 *
 * Afterwards `measureDrain()` waits and measures how long until the readonly pool's `inUse` is
 * 0 (admin stats) and no readonly backend is `idle in transaction` / `active` (pg_stat_activity,
 * read directly as the superuser), and counts backends per role against the pool size.
 * `DirtySampler` samples pg_stat_activity every ~50 ms for the long storm.
 */

export type AbortKind = "csv-early" | "csv-mid" | "json" | "sql";
export const ABORT_KINDS: readonly AbortKind[] = ["csv-early", "csv-mid", "json", "sql"];

export interface StormOptions {
  /** The app, e.g. http://127.0.0.1:3000 */
  url: string;
  /** An API token with tables:read and sql:run. */
  token: string;
  /** Requests to issue in total (verifiers and aborters together). */
  requests: number;
  /** Verifier workers (each runs one request at a time). */
  verifiers: number;
  /** Aborter workers; 0 is the control phase. */
  aborters: number;
  /** Share of the requests that go to the aborters (default 0.5; 0 without aborters). */
  abortShare?: number;
  /** Abort kinds the aborters choose from, uniformly (default: all four). */
  kinds?: readonly AbortKind[];
  /**
   * The verified table: `GET /api/v1/tables/<path>?id=eq.N&select=id,email` must answer exactly
   * `[{ id: N, email: email(N) }]` (id compared as a string: bigint comes back as text).
   */
  verifyTable?: { path: string; maxId: number; email: (id: number) => string };
  /** A big table for the CSV aborters, optionally with a query string (default: data.events without its jsonb column). */
  csvTable?: string;
  /** The table the JSON aborters read a page of (default data.orders, limit 1000). */
  jsonTable?: string;
  /** Stop issuing new requests after this long, whatever is left (default 5 min). */
  maxDurationMs?: number;
  /** A request that has not ended after this long is given up as "hung" (default 30 s). */
  requestTimeoutMs?: number;
  /** Deterministic choices for a given seed (default: random). */
  seed?: number;
  /** Stops issuing new requests once aborted (requests in flight still finish). */
  signal?: AbortSignal;
  /** Called for every finished request (for samplers that track requests in flight). */
  onInFlight?: (delta: 1 | -1) => void;
  /** Say something, e.g. progress lines. */
  say?: (line: string) => void;
}

export interface Sample {
  kind: string;
  path: string;
  status: number | null;
  detail: string;
}

export interface KindCounts {
  requests: number;
  /** Client-initiated aborts that happened before the response ended. */
  aborted: number;
  /** The plan said abort, but the response ended first: treated as a normal request. */
  completedBeforeAbort: number;
}

export interface StormReport {
  requests: number;
  aborted: number;
  abortedShare: number;
  durationMs: number;
  byKind: Record<"verify-table" | "verify-sql" | AbortKind, KindCounts>;
  verifierRequests: number;
  verifierOk: number;
  /** A 200 whose body is not the expected row / value (`[]` included). */
  wrongAnswers: number;
  wrongEmpty: number;
  /** A request the client did not abort answering with a cancel (57014 / "canceling statement due to user request"). */
  innocentCancels: number;
  /** 5xx of requests the client did not abort, 503 excepted. */
  serverErrors: number;
  /** 503s of requests the client did not abort, by error code (pool_saturated, pool_timeout, unavailable, …). */
  unavailable: Record<string, number>;
  /** Other non-2xx answers of verifiers (neither cancel, nor 5xx, nor 503), by status. */
  otherVerifierErrors: Record<string, number>;
  /** Non-2xx answers of aborters whose response ended before the abort, by status (cancels and 5xx are counted above). */
  otherAborterErrors: Record<string, number>;
  /** Network errors the client did not cause (reset, refused), per kind. */
  networkErrors: number;
  /** Requests that did not end within requestTimeoutMs. */
  hung: number;
  /** A few examples per failure kind, to read what happened. */
  samples: { wrong: Sample[]; cancels: Sample[]; serverErrors: Sample[]; unavailable: Sample[]; other: Sample[]; network: Sample[] };
}

// ---------------------------------------------------------------------------------------------
// One HTTP request with an optional client abort

type AbortPlan = { at: "time"; ms: number } | { at: "headers" } | { at: "bytes"; bytes: number };

interface Outcome {
  status: number | null;
  body: string;
  bytes: number;
  /** The driver destroyed the request before the response ended. */
  aborted: boolean;
  /** The plan asked for an abort but the response ended first. */
  missedAbort: boolean;
  networkError: string | null;
  hung: boolean;
  ms: number;
}

const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 256 });

function send(
  base: URL,
  options: { method: "GET" | "POST"; path: string; headers: Record<string, string>; body?: string; abort?: AbortPlan; timeoutMs: number },
): Promise<Outcome> {
  const started = performance.now();
  return new Promise<Outcome>((resolve) => {
    let settled = false;
    let status: number | null = null;
    let bytes = 0;
    const chunks: Buffer[] = [];
    let aborted = false;
    let timer: NodeJS.Timeout | null = null;
    const finish = (extra: Partial<Outcome>) => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      clearTimeout(hangTimer);
      resolve({
        status,
        body: Buffer.concat(chunks).toString("utf8"),
        bytes,
        aborted,
        missedAbort: options.abort !== undefined && !aborted,
        networkError: null,
        hung: false,
        ms: performance.now() - started,
        ...extra,
      });
    };
    const headers: Record<string, string> = { ...options.headers };
    if (options.body !== undefined) {
      headers["content-type"] = "application/json";
      headers["content-length"] = String(Buffer.byteLength(options.body));
    }
    const req = http.request({
      host: base.hostname,
      port: base.port,
      method: options.method,
      path: options.path,
      headers,
      // Aborters get a socket of their own, so destroying it closes a real TCP connection and no
      // later request of the driver reuses it; verifiers reuse keep-alive sockets.
      agent: options.abort ? false : keepAlive,
    });
    const abortNow = () => {
      if (settled || aborted) return;
      aborted = true;
      req.destroy();
      finish({});
    };
    const hangTimer = setTimeout(() => {
      req.destroy();
      finish({ hung: true });
    }, options.timeoutMs);
    req.on("response", (res) => {
      status = res.statusCode ?? null;
      // An error answer is read, not aborted: it may be an innocent cancel or a 5xx.
      if (options.abort?.at === "headers" && status === 200) return abortNow();
      res.on("data", (chunk: Buffer) => {
        if (aborted) return;
        bytes += chunk.length;
        // Keep what verifiers and error answers need; a big CSV body is only counted.
        if (options.abort?.at !== "bytes" || status !== 200) chunks.push(chunk);
        if (options.abort?.at === "bytes" && status === 200 && bytes >= options.abort.bytes) abortNow();
      });
      res.on("end", () => finish({}));
      res.on("error", (error) => finish({ networkError: error.message }));
      res.on("aborted", () => finish({ networkError: "response aborted by the server" }));
    });
    req.on("error", (error) => {
      if (aborted) return; // our own destroy()
      finish({ networkError: (error as NodeJS.ErrnoException).code ?? error.message });
    });
    if (options.abort?.at === "time") timer = setTimeout(abortNow, options.abort.ms);
    req.end(options.body);
  });
}

// ---------------------------------------------------------------------------------------------
// Classifying answers

const CANCEL_TEXT = /canceling statement due to user request/i;

interface ErrorBody {
  error?: { code?: string; message?: string; details?: { reason?: string; sqlstate?: string } };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isCancelAnswer(outcome: Outcome): boolean {
  if (outcome.status === null || outcome.status < 400) return false;
  if (CANCEL_TEXT.test(outcome.body)) return true;
  const body = parseJson(outcome.body) as ErrorBody | undefined;
  const details = body?.error?.details;
  return details?.sqlstate === "57014" && details.reason !== "timeout";
}

function errorCode(outcome: Outcome): string {
  const body = parseJson(outcome.body) as ErrorBody | undefined;
  return body?.error?.code ?? `http_${outcome.status}`;
}

function shorten(text: string, max = 300): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

// ---------------------------------------------------------------------------------------------
// The storm

/** A small deterministic PRNG (mulberry32). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** 12,500 rows in the test data (scale 0.05), three CSV batches of 5,000; the jsonb column left out to spare the CPU. */
export const CSV_EVENTS = "data.events?select=id,customer_id,kind,occurred_at";

export const CUSTOMERS_TABLE = (maxId: number) => ({
  path: "data.customers",
  maxId,
  email: (id: number) => `customer${id}@example.com`,
});

const MAX_SAMPLES = 8;

export async function runAbortStorm(options: StormOptions): Promise<StormReport> {
  const base = new URL(options.url);
  const random = prng(options.seed ?? Math.floor(Math.random() * 2 ** 31));
  const between = (lo: number, hi: number) => lo + random() * (hi - lo);
  const intBetween = (lo: number, hi: number) => Math.floor(between(lo, hi + 1));
  const kinds = options.kinds ?? ABORT_KINDS;
  const verify = options.verifyTable ?? CUSTOMERS_TABLE(1000);
  const csvTable = options.csvTable ?? CSV_EVENTS;
  const jsonTable = options.jsonTable ?? "data.orders";
  const timeoutMs = options.requestTimeoutMs ?? 30_000;
  const deadline = Date.now() + (options.maxDurationMs ?? 300_000);
  const auth = { authorization: `Bearer ${options.token}` };
  const say = options.say ?? (() => {});

  const zero = (): KindCounts => ({ requests: 0, aborted: 0, completedBeforeAbort: 0 });
  const report: StormReport = {
    requests: 0,
    aborted: 0,
    abortedShare: 0,
    durationMs: 0,
    byKind: { "verify-table": zero(), "verify-sql": zero(), "csv-early": zero(), "csv-mid": zero(), json: zero(), sql: zero() },
    verifierRequests: 0,
    verifierOk: 0,
    wrongAnswers: 0,
    wrongEmpty: 0,
    innocentCancels: 0,
    serverErrors: 0,
    unavailable: {},
    otherVerifierErrors: {},
    otherAborterErrors: {},
    networkErrors: 0,
    hung: 0,
    samples: { wrong: [], cancels: [], serverErrors: [], unavailable: [], other: [], network: [] },
  };
  const keep = (list: Sample[], sample: Sample) => {
    if (list.length < MAX_SAMPLES) list.push(sample);
  };
  const bump = (map: Record<string, number>, key: string) => (map[key] = (map[key] ?? 0) + 1);

  /** What every request the client did not abort is checked for, verifier or not. */
  const checkCommon = (kind: string, path: string, outcome: Outcome): "ok" | "failed" => {
    const sample = () => ({ kind, path, status: outcome.status, detail: shorten(outcome.networkError ?? outcome.body) });
    if (outcome.hung) {
      report.hung++;
      keep(report.samples.network, { ...sample(), detail: "hung" });
      return "failed";
    }
    if (outcome.networkError !== null) {
      report.networkErrors++;
      keep(report.samples.network, sample());
      return "failed";
    }
    if (isCancelAnswer(outcome)) {
      report.innocentCancels++;
      keep(report.samples.cancels, sample());
      return "failed";
    }
    if (outcome.status === 503) {
      bump(report.unavailable, errorCode(outcome));
      keep(report.samples.unavailable, sample());
      return "failed";
    }
    if (outcome.status !== null && outcome.status >= 500) {
      report.serverErrors++;
      keep(report.samples.serverErrors, sample());
      return "failed";
    }
    return "ok";
  };

  const wrong = (kind: string, path: string, outcome: Outcome, why: string) => {
    report.wrongAnswers++;
    keep(report.samples.wrong, { kind, path, status: outcome.status, detail: `${why}: ${shorten(outcome.body)}` });
  };

  const verifyTableOnce = async () => {
    const n = intBetween(1, verify.maxId);
    const path = `/api/v1/tables/${verify.path}?id=eq.${n}&select=id,email`;
    const outcome = await send(base, { method: "GET", path, headers: auth, timeoutMs });
    report.byKind["verify-table"].requests++;
    report.verifierRequests++;
    if (checkCommon("verify-table", path, outcome) === "failed") return;
    if (outcome.status !== 200) {
      bump(report.otherVerifierErrors, String(outcome.status));
      keep(report.samples.other, { kind: "verify-table", path, status: outcome.status, detail: shorten(outcome.body) });
      return;
    }
    const rows = parseJson(outcome.body);
    if (!Array.isArray(rows)) return wrong("verify-table", path, outcome, "not a JSON array");
    if (rows.length === 0) {
      report.wrongEmpty++;
      return wrong("verify-table", path, outcome, `[] for id ${n}`);
    }
    const row = rows[0] as { id?: unknown; email?: unknown };
    if (rows.length !== 1 || String(row.id) !== String(n) || row.email !== verify.email(n)) {
      return wrong("verify-table", path, outcome, `expected exactly row ${n}`);
    }
    report.verifierOk++;
  };

  const verifySqlOnce = async () => {
    const n = intBetween(1, 2_000_000_000);
    const path = "/api/v1/sql";
    const body = JSON.stringify({ sql: "select $1::int as n", params: [n] });
    const outcome = await send(base, { method: "POST", path, headers: auth, body, timeoutMs });
    report.byKind["verify-sql"].requests++;
    report.verifierRequests++;
    if (checkCommon("verify-sql", path, outcome) === "failed") return;
    if (outcome.status !== 200) {
      bump(report.otherVerifierErrors, String(outcome.status));
      keep(report.samples.other, { kind: "verify-sql", path, status: outcome.status, detail: shorten(outcome.body) });
      return;
    }
    const result = parseJson(outcome.body) as { rows?: unknown[][]; columns?: Array<{ name: string }> } | undefined;
    const ok = result?.rows?.length === 1 && result.rows[0]?.length === 1 && result.rows[0][0] === n && result.columns?.[0]?.name === "n";
    if (!ok) wrong("verify-sql", path, outcome, `expected n = ${n}`);
    else report.verifierOk++;
  };

  const abortOnce = async () => {
    const kind = kinds[Math.floor(random() * kinds.length)]!;
    let outcome: Outcome;
    let path: string;
    switch (kind) {
      case "csv-early": {
        path = `/api/v1/tables/${csvTable}`;
        // Half before the first byte of the response, half right after its headers.
        const plan: AbortPlan = random() < 0.5 ? { at: "time", ms: between(0, 40) } : { at: "headers" };
        outcome = await send(base, { method: "GET", path, headers: { ...auth, accept: "text/csv" }, abort: plan, timeoutMs });
        break;
      }
      case "csv-mid": {
        path = `/api/v1/tables/${csvTable}`;
        outcome = await send(base, {
          method: "GET",
          path,
          headers: { ...auth, accept: "text/csv" },
          abort: { at: "bytes", bytes: intBetween(1024, 300_000) },
          timeoutMs,
        });
        break;
      }
      case "json": {
        path = `/api/v1/tables/${jsonTable}?limit=1000&order=id.desc`;
        outcome = await send(base, { method: "GET", path, headers: auth, abort: { at: "time", ms: between(0, 120) }, timeoutMs });
        break;
      }
      case "sql": {
        path = "/api/v1/sql";
        const sleepS = between(0.05, 0.4).toFixed(3);
        const body = JSON.stringify({ sql: "select pg_sleep($1::float8) as slept, 1 as one", params: [sleepS] });
        outcome = await send(base, { method: "POST", path, headers: auth, body, abort: { at: "time", ms: between(20, 300) }, timeoutMs });
        break;
      }
    }
    const counts = report.byKind[kind];
    counts.requests++;
    if (outcome.aborted) {
      counts.aborted++;
      report.aborted++;
      return;
    }
    counts.completedBeforeAbort++;
    // Not aborted: an ordinary request, held to the same standard (no cancel, no 5xx).
    if (checkCommon(kind, path, outcome) === "failed") return;
    if (outcome.status !== null && (outcome.status < 200 || outcome.status >= 300)) {
      bump(report.otherAborterErrors, `${kind}:${outcome.status}`);
      keep(report.samples.other, { kind, path, status: outcome.status, detail: shorten(outcome.body) });
    }
  };

  // Separate budgets, drawn in step: fast aborters (an early CSV abort takes milliseconds) must
  // not use up the storm before the verifiers got their share, nor slow ones (a SQL abort waits
  // up to 300 ms) leave the verifiers alone.
  const abortBudget = options.aborters > 0 ? Math.round(options.requests * (options.abortShare ?? 0.5)) : 0;
  const verifyBudget = options.requests - abortBudget;
  const issuedBy = { verify: 0, abort: 0 };
  const budget = { verify: verifyBudget, abort: abortBudget };
  const progress = (group: "verify" | "abort") => (budget[group] === 0 ? 1 : issuedBy[group] / budget[group]);
  const started = Date.now();
  let lastProgress = started;
  const take = async (group: "verify" | "abort"): Promise<boolean> => {
    const other = group === "verify" ? "abort" : "verify";
    for (;;) {
      if (issuedBy[group] >= budget[group] || Date.now() > deadline || options.signal?.aborted) return false;
      if (progress(group) <= progress(other) + 0.02 || issuedBy[other] >= budget[other]) break;
      await new Promise((r) => setTimeout(r, 2));
    }
    issuedBy[group]++;
    if (Date.now() - lastProgress > 5000) {
      lastProgress = Date.now();
      say(
        `${issuedBy.verify + issuedBy.abort}/${options.requests} requests issued, ${report.aborted} aborted, ${report.wrongAnswers} wrong, ${report.innocentCancels} innocent cancels, 503 ${JSON.stringify(report.unavailable)}`,
      );
    }
    return true;
  };
  const tracked = async (fn: () => Promise<void>) => {
    options.onInFlight?.(1);
    try {
      await fn();
    } finally {
      options.onInFlight?.(-1);
    }
  };
  const verifierWorker = async () => {
    while (await take("verify")) await tracked(random() < 0.5 ? verifyTableOnce : verifySqlOnce);
  };
  const aborterWorker = async () => {
    while (await take("abort")) await tracked(abortOnce);
  };
  await Promise.all([...Array.from({ length: options.verifiers }, verifierWorker), ...Array.from({ length: options.aborters }, aborterWorker)]);
  const issued = issuedBy.verify + issuedBy.abort;
  report.requests = issued;
  report.durationMs = Date.now() - started;
  report.abortedShare = issued ? report.aborted / issued : 0;
  return report;
}

// ---------------------------------------------------------------------------------------------
// After the storm: the pool drains, and the server agrees

export interface RoleNames {
  readonly: string;
  app: string;
  admin?: string;
}

export interface BackendRow {
  usename: string;
  state: string | null;
  count: number;
}

export interface BackendView {
  /** Client backends per role name. */
  perRole: Record<string, number>;
  idleInTransaction: Record<string, number>;
  active: Record<string, number>;
  rows: BackendRow[];
}

/** Client backends of the given roles in this database, by state (superuser connection). */
export async function backendView(superuser: Sql, roles: RoleNames): Promise<BackendView> {
  const names = [roles.readonly, roles.app, ...(roles.admin ? [roles.admin] : [])];
  const rows = await superuser<BackendRow[]>`
    select usename::text as usename, state, count(*)::int as count
      from pg_stat_activity
     where backend_type = 'client backend' and datname = current_database()
       and usename = any(${names}::text[]) and pid <> pg_backend_pid()
     group by 1, 2 order by 1, 2`;
  const view: BackendView = { perRole: {}, idleInTransaction: {}, active: {}, rows: [...rows] };
  for (const name of names) {
    view.perRole[name] = 0;
    view.idleInTransaction[name] = 0;
    view.active[name] = 0;
  }
  for (const row of rows) {
    view.perRole[row.usename] = (view.perRole[row.usename] ?? 0) + row.count;
    if (row.state?.startsWith("idle in transaction")) view.idleInTransaction[row.usename] = (view.idleInTransaction[row.usename] ?? 0) + row.count;
    if (row.state === "active") view.active[row.usename] = (view.active[row.usename] ?? 0) + row.count;
  }
  return view;
}

export interface PoolView {
  inUse: number;
  waiting: number;
  size: number;
  health: string;
}

/** The local pool snapshots from GET /api/admin/stats (admin token). */
export async function poolViews(url: string, adminToken: string): Promise<Record<string, PoolView>> {
  const response = await fetch(`${url}/api/admin/stats`, { headers: { authorization: `Bearer ${adminToken}` }, signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new Error(`admin stats: HTTP ${response.status} ${shorten(await response.text())}`);
  const body = (await response.json()) as { pools: { local: Record<string, PoolView> } };
  const out: Record<string, PoolView> = {};
  for (const [role, s] of Object.entries(body.pools.local)) out[role] = { inUse: s.inUse, waiting: s.waiting, size: s.size, health: s.health };
  return out;
}

export interface DrainReport {
  /** ms until the readonly pool said inUse 0 (null: not within the wait). */
  inUseZeroMs: number | null;
  /** ms until no readonly backend was idle in transaction (null: not within the wait). */
  noIdleInTransactionMs: number | null;
  /** ms until no readonly backend was idle in transaction or active. */
  readonlyQuietMs: number | null;
  /** Both of the above. */
  drainedMs: number | null;
  /** The last readings. */
  pools: Record<string, PoolView> | null;
  poolsError?: string;
  backends: BackendView;
  /** Backends per role name above the pool size of that role (from the pools' own stats). */
  overPoolSize: Record<string, { backends: number; size: number }>;
}

/**
 * Polls every 50 ms for up to `waitMs`: the readonly pool's inUse (admin stats) and the
 * readonly role's backends in pg_stat_activity. Nothing else must use the app meanwhile.
 */
export async function measureDrain(options: {
  url: string;
  adminToken: string;
  superuser: Sql;
  roles: RoleNames;
  waitMs: number;
}): Promise<DrainReport> {
  const started = Date.now();
  let inUseZeroMs: number | null = null;
  let noIdleInTransactionMs: number | null = null;
  let readonlyQuietMs: number | null = null;
  let pools: Record<string, PoolView> | null = null;
  let poolsError: string | undefined;
  let backends = await backendView(options.superuser, options.roles);
  for (;;) {
    const elapsed = Date.now() - started;
    try {
      pools = await poolViews(options.url, options.adminToken);
      poolsError = undefined;
      if (inUseZeroMs === null && pools.readonly && pools.readonly.inUse === 0 && pools.readonly.waiting === 0) inUseZeroMs = elapsed;
      else if (inUseZeroMs !== null && pools.readonly && pools.readonly.inUse > 0) inUseZeroMs = null; // must stay 0
    } catch (error) {
      poolsError = error instanceof Error ? error.message : String(error);
    }
    backends = await backendView(options.superuser, options.roles);
    const ro = options.roles.readonly;
    const iit = backends.idleInTransaction[ro] ?? 0;
    const act = backends.active[ro] ?? 0;
    if (iit === 0) noIdleInTransactionMs ??= elapsed;
    else noIdleInTransactionMs = null;
    if (iit === 0 && act === 0) readonlyQuietMs ??= elapsed;
    else readonlyQuietMs = null;
    if ((inUseZeroMs !== null && readonlyQuietMs !== null) || Date.now() - started > options.waitMs) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const overPoolSize: DrainReport["overPoolSize"] = {};
  if (pools) {
    const byName: Record<string, string> = { [options.roles.readonly]: "readonly", [options.roles.app]: "app" };
    if (options.roles.admin) byName[options.roles.admin] = "admin";
    for (const [name, count] of Object.entries(backends.perRole)) {
      const size = pools[byName[name]!]?.size;
      if (size !== undefined && count > size) overPoolSize[name] = { backends: count, size };
    }
  }
  const drainedMs = inUseZeroMs !== null && readonlyQuietMs !== null ? Math.max(inUseZeroMs, readonlyQuietMs) : null;
  return { inUseZeroMs, noIdleInTransactionMs, readonlyQuietMs, drainedMs, pools, ...(poolsError ? { poolsError } : {}), backends, overPoolSize };
}

// ---------------------------------------------------------------------------------------------
// Sampling pg_stat_activity during a storm: how long does a connection stay dirty?

export interface DirtyReport {
  samples: number;
  failedSamples: number;
  /**
   * The longest span (ms) during which more readonly backends were `idle in transaction` or
   * `active` than the driver had readonly requests in flight: at least one was dirty with no
   * request to own it.
   */
  worstUnownedDirtyMs: number;
  /** The longest time one readonly backend was seen `idle in transaction` (clock_timestamp() - state_change). */
  worstIdleInTransactionMs: number;
  /** The same for `active` (clock_timestamp() - query_start): statements that outlived their request show here. */
  worstActiveMs: number;
  worstIdleInTransactionQuery: string | null;
  /** Most readonly backends seen at once. */
  maxReadonlyBackends: number;
}

/** Samples the readonly role's backends every `everyMs` until stop(). */
export class DirtySampler {
  private inFlight = 0;
  private running = true;
  private loop: Promise<void> | null = null;
  private readonly report: DirtyReport = {
    samples: 0,
    failedSamples: 0,
    worstUnownedDirtyMs: 0,
    worstIdleInTransactionMs: 0,
    worstActiveMs: 0,
    worstIdleInTransactionQuery: null,
    maxReadonlyBackends: 0,
  };
  private unownedSince: number | null = null;

  constructor(
    private readonly connect: () => Sql,
    private readonly readonlyRole: string,
    private readonly everyMs = 50,
  ) {}

  /** Pass as StormOptions.onInFlight. */
  readonly track = (delta: 1 | -1) => {
    this.inFlight += delta;
  };

  start(): void {
    this.loop = (async () => {
      let sql: Sql | null = null;
      while (this.running) {
        const at = Date.now();
        // Requests in flight when the sample was asked for and when it came back: the smaller
        // one is what surely owned a backend throughout.
        const before = this.inFlight;
        try {
          sql ??= this.connect();
          const rows = await sql<{ state: string | null; in_state_ms: number; running_ms: number; query: string }[]>`
            select state,
                   (extract(epoch from clock_timestamp() - state_change) * 1000)::float8 as in_state_ms,
                   (extract(epoch from clock_timestamp() - query_start) * 1000)::float8 as running_ms,
                   left(query, 120) as query
              from pg_stat_activity
             where backend_type = 'client backend' and datname = current_database() and usename = ${this.readonlyRole}`;
          const owned = Math.min(before, this.inFlight);
          this.report.samples++;
          this.report.maxReadonlyBackends = Math.max(this.report.maxReadonlyBackends, rows.length);
          let dirty = 0;
          for (const row of rows) {
            if (row.state?.startsWith("idle in transaction")) {
              dirty++;
              if (row.in_state_ms > this.report.worstIdleInTransactionMs) {
                this.report.worstIdleInTransactionMs = Math.round(row.in_state_ms);
                this.report.worstIdleInTransactionQuery = row.query;
              }
            } else if (row.state === "active") {
              dirty++;
              this.report.worstActiveMs = Math.max(this.report.worstActiveMs, Math.round(row.running_ms));
            }
          }
          if (dirty > owned) {
            this.unownedSince ??= at;
            this.report.worstUnownedDirtyMs = Math.max(this.report.worstUnownedDirtyMs, Date.now() - this.unownedSince);
          } else {
            this.unownedSince = null;
          }
        } catch {
          this.report.failedSamples++;
          // Postgres restarting: start over with a fresh connection.
          const old = sql;
          sql = null;
          void old?.end({ timeout: 0 }).catch(() => {});
        }
        const wait = this.everyMs - (Date.now() - at);
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      }
      await sql?.end({ timeout: 1 }).catch(() => {});
    })();
  }

  async stop(): Promise<DirtyReport> {
    this.running = false;
    await this.loop;
    return { ...this.report };
  }
}

/** A superuser connection for the measurements above. */
export function superuserConnection(url: string): Sql {
  return postgres(url, { max: 1, onnotice: () => {}, connect_timeout: 5, idle_timeout: 10 });
}

/** One line per figure, for logs. */
export function formatStorm(label: string, r: StormReport): string {
  const kinds = Object.entries(r.byKind)
    .filter(([, c]) => c.requests > 0)
    .map(([k, c]) => `${k} ${c.requests}${c.aborted ? ` (${c.aborted} aborted)` : ""}`)
    .join(", ");
  return [
    `[${label}] ${r.requests} requests in ${(r.durationMs / 1000).toFixed(1)} s, ${r.aborted} aborted (${(r.abortedShare * 100).toFixed(1)}%): ${kinds}`,
    `[${label}] verifiers ${r.verifierOk}/${r.verifierRequests} right; wrong answers ${r.wrongAnswers} (${r.wrongEmpty} of them []), innocent cancels ${r.innocentCancels}, 5xx ${r.serverErrors}, 503 ${JSON.stringify(r.unavailable)}, other verifier errors ${JSON.stringify(r.otherVerifierErrors)}, other aborter errors ${JSON.stringify(r.otherAborterErrors)}, network errors ${r.networkErrors}, hung ${r.hung}`,
  ].join("\n");
}

/**
 * Server settings for a storm: rate limits and the admission limit out of the way (one token
 * issues every request), a small readonly pool so connections are reused all the time, a
 * queue deep enough for the storm's concurrency and a short acquire timeout so that a wedged
 * pool shows as 503 pool_timeout within the storm rather than as hung requests.
 */
export const STORM_SERVER_ENV: Record<string, string> = {
  RATE_LIMIT_API_LIMIT: "1000000",
  RATE_LIMIT_SQL_LIMIT: "1000000",
  RATE_LIMIT_USER_LIMIT: "1000000",
  RATE_LIMIT_ANONYMOUS_LIMIT: "1000000",
  API_MAX_IN_FLIGHT: "0",
  DB_POOL_SIZE: "6",
  DB_POOL_SIZE_READONLY: "4",
  DB_POOL_MAX_WAITING: "128",
  DB_POOL_ACQUIRE_TIMEOUT_MS: "2000",
  // The SQL verifiers' and aborters' statements are cheap; the sandbox's own limits stay default.
  CATALOG_TTL_MS: "30000",
  // A wedged pool must not hold the test's server stop for the default 20 s.
  SHUTDOWN_TIMEOUT_S: "3",
};

/** One table verifier request outside a storm: true when row N came back, exactly. */
export async function verifyRowOnce(
  url: string,
  token: string,
  n: number,
  verify = CUSTOMERS_TABLE(1000),
): Promise<{ ok: boolean; status: number | null; body: string }> {
  try {
    const response = await fetch(`${url}/api/v1/tables/${verify.path}?id=eq.${n}&select=id,email`, {
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(10_000),
    });
    const body = await response.text();
    const rows = parseJson(body) as Array<{ id?: unknown; email?: unknown }> | undefined;
    const ok =
      response.status === 200 && Array.isArray(rows) && rows.length === 1 && String(rows[0]!.id) === String(n) && rows[0]!.email === verify.email(n);
    return { ok, status: response.status, body: shorten(body) };
  } catch (error) {
    return { ok: false, status: null, body: error instanceof Error ? error.message : String(error) };
  }
}

/** Polls verifyRowOnce until it is right; the ms it took, or null after timeoutMs. */
export async function waitForRightAnswer(url: string, token: string, timeoutMs: number): Promise<number | null> {
  const started = Date.now();
  let n = 1;
  while (Date.now() - started < timeoutMs) {
    if ((await verifyRowOnce(url, token, 1 + (n++ % 1000))).ok) return Date.now() - started;
    await new Promise((r) => setTimeout(r, 100));
  }
  return null;
}
