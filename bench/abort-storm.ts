import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync, existsSync } from "node:fs";
import { rm } from "node:fs/promises";
import { cpus, totalmem } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { migrateDatabase } from "@/db/migrate";
import { seedDatabase } from "@/db/seed";
import { setupDatabase } from "@/db/setup";
import { freePort, startEmbeddedPostgres, type EmbeddedPostgresHandle } from "@/lib/db/embedded";
import { parseEnv } from "@/lib/env";
import { roleCredentials } from "@/lib/db/roles";
import { startAppServer } from "@/tests/support/app-server";
import { createToken, createUser, useAppEnvironment as pointLibAt } from "@/tests/support/auth";
import type { TestDatabase } from "@/tests/support/database";
import { startRedisServer } from "@/tests/support/redis-server";
import {
  CSV_EVENTS,
  CUSTOMERS_TABLE,
  DirtySampler,
  STORM_SERVER_ENV,
  backendView,
  formatStorm,
  measureDrain,
  runAbortStorm,
  superuserConnection,
  waitForRightAnswer,
  type BackendView,
  type DirtyReport,
  type DrainReport,
  type RoleNames,
  type StormReport,
} from "@/tests/support/abort-storm";

/**
 * `npm run storm` — the long abort storm of issue 12, against the production build (run
 * `npm run build` first) on a Postgres of its own (embedded, in .data/, restarted 5 times) and
 * Redis (REDIS_URL, else a redis-server of its own):
 *
 *   1. the storm: ≥ 50,000 requests (default 52,000), about half of them aborted by the client
 *      (CSV exports early and mid-stream, JSON reads, SQL runs mid-statement), beside verifier
 *      streams whose every answer is checked; pg_stat_activity sampled every 50 ms;
 *   2. the drain after it: readonly inUse 0, no idle-in-transaction backend;
 *   3. Postgres restarted 5 times under load (verifiers + a few aborters): 500s, recovery time,
 *      backends per role after the restarts against the pool sizes.
 *
 * Writes bench/results/abort-storm-<date>.{json,md}.
 *   npm run storm -- [--requests=52000] [--restarts=5] [--verifiers=8] [--aborters=8] [--scale=0.2]
 *                    [--max-minutes=40] [--no-write]
 */
const ROOT = path.resolve(import.meta.dirname, "..");
const { values: args } = parseArgs({
  options: {
    requests: { type: "string", default: "52000" },
    restarts: { type: "string", default: "5" },
    verifiers: { type: "string", default: "8" },
    aborters: { type: "string", default: "8" },
    scale: { type: "string", default: "0.2" },
    "max-minutes": { type: "string", default: "40" },
    "no-write": { type: "boolean", default: false },
  },
});
const REQUESTS = Number(args.requests);
const RESTARTS = Number(args.restarts);
const VERIFIERS = Number(args.verifiers);
const ABORTERS = Number(args.aborters);
const SCALE = Number(args.scale);
const say = (line: string) => process.stdout.write(`[storm] ${line}\n`);

const serverJs = path.join(ROOT, process.env.NEXT_DIST_DIR || ".next", "standalone", "server.js");
if (!existsSync(serverJs)) throw new Error(`no production build at ${serverJs}: run \`npm run build\` first`);

const stops: Array<() => Promise<void>> = [];
const cleanup = async () => {
  for (const stop of stops.reverse()) await stop().catch((e: unknown) => say(`cleanup: ${String(e)}`));
  stops.length = 0;
};
process.on("SIGINT", () => void cleanup().then(() => process.exit(130)));

try {
  // --- services: a Postgres of its own (it is restarted), Redis ---------------------------------
  const dataDir = path.join(ROOT, ".data", `storm-pg-${randomBytes(3).toString("hex")}`);
  const pgPort = await freePort();
  const pgPassword = randomBytes(18).toString("base64url");
  const startPg = () => startEmbeddedPostgres({ dataDir, port: pgPort, password: pgPassword, durable: false });
  let pg: EmbeddedPostgresHandle = await startPg();
  stops.push(async () => {
    try {
      await pg.stop();
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
  say(`embedded Postgres on port ${pgPort} (${dataDir})`);

  let redisUrl = process.env.REDIS_URL;
  if (!redisUrl) {
    const redis = await startRedisServer();
    stops.push(redis.stop);
    redisUrl = redis.url;
  }

  const envVars: Record<string, string> = {
    NODE_ENV: "test",
    DATABASE_URL: pg.url,
    DB_ROLE_PREFIX: "sluice_storm_",
    DB_READONLY_PASSWORD: randomBytes(18).toString("base64url"),
    DB_APP_PASSWORD: randomBytes(18).toString("base64url"),
    DB_ADMIN_PASSWORD: randomBytes(18).toString("base64url"),
    REDIS_URL: redisUrl,
    LOG_LEVEL: "warn",
  };
  const env = parseEnv(envVars);
  await setupDatabase(pg.url, env);
  await migrateDatabase(pg.url, env);
  await seedDatabase(pg.url, env, { scale: SCALE, log: say });
  const customers = Math.max(100, Math.round(20_000 * SCALE));
  const roles: RoleNames = {
    readonly: roleCredentials(env, "readonly").user,
    app: roleCredentials(env, "app").user,
    admin: roleCredentials(env, "admin").user,
  };
  const poolSize = {
    readonly: Number(STORM_SERVER_ENV.DB_POOL_SIZE_READONLY),
    app: Number(STORM_SERVER_ENV.DB_POOL_SIZE),
    admin: Number(STORM_SERVER_ENV.DB_POOL_SIZE),
  };

  // --- a token with tables:read, sql:run and admin (for the pool stats) -------------------------
  pointLibAt(envVars);
  const owner = superuserConnection(pg.url);
  const user = await createUser({ owner } as unknown as TestDatabase, { role: "admin" });
  const { token } = await createToken(user, { scopes: ["tables:read", "sql:run", "admin"], name: "storm" });
  await owner.end({ timeout: 1 });

  const app = await startAppServer({ ...envVars, ...STORM_SERVER_ENV, DB_RECONNECT_TIMEOUT_S: "2" });
  stops.push(async () => void (await app.stop()));
  say(
    `production server at ${app.url}; readonly pool ${poolSize.readonly}, ${VERIFIERS} verifier + ${ABORTERS} aborter workers, ${REQUESTS} requests`,
  );

  const sampler = new DirtySampler(() => superuserConnection(pg.url), roles.readonly, 50);
  sampler.start();

  // --- 1. the storm ---------------------------------------------------------------------------
  const storm: StormReport = await runAbortStorm({
    url: app.url,
    token,
    requests: REQUESTS,
    verifiers: VERIFIERS,
    aborters: ABORTERS,
    verifyTable: CUSTOMERS_TABLE(customers),
    csvTable: CSV_EVENTS,
    jsonTable: "data.orders",
    maxDurationMs: Number(args["max-minutes"]) * 60_000,
    requestTimeoutMs: 30_000,
    onInFlight: sampler.track,
    say,
  });
  say(formatStorm("storm", storm).replace(/\n/g, "\n[storm] "));

  // --- 2. the drain ---------------------------------------------------------------------------
  const su = superuserConnection(pg.url);
  const drain: DrainReport = await measureDrain({ url: app.url, adminToken: token, superuser: su, roles, waitMs: 90_000 });
  await su.end({ timeout: 1 });
  say(
    `drain: readonly inUse 0 after ${drain.inUseZeroMs ?? ">90000"} ms, no idle-in-transaction backend after ${drain.noIdleInTransactionMs ?? ">90000"} ms`,
  );

  // --- 3. Postgres restarted under load -------------------------------------------------------
  const stopLoad = new AbortController();
  const restartLoad = runAbortStorm({
    url: app.url,
    token,
    requests: 10_000_000,
    verifiers: 4,
    aborters: 2,
    abortShare: 1 / 3,
    verifyTable: CUSTOMERS_TABLE(customers),
    signal: stopLoad.signal,
    maxDurationMs: 30 * 60_000,
    requestTimeoutMs: 30_000,
    onInFlight: sampler.track,
  });
  const restarts: Array<{ downMs: number; recoveredMs: number | null; backends: Record<string, number> }> = [];
  let afterRestarts: BackendView | null = null;
  try {
    for (let i = 0; i < RESTARTS; i++) {
      await new Promise((r) => setTimeout(r, 2000));
      const down = Date.now();
      await pg.stop();
      await new Promise((r) => setTimeout(r, 2000));
      pg = await startPg();
      const downMs = Date.now() - down;
      const recoveredMs = await waitForRightAnswer(app.url, token, 60_000);
      await new Promise((r) => setTimeout(r, 3000));
      const s = superuserConnection(pg.url);
      const view = await backendView(s, roles).finally(() => s.end({ timeout: 1 }));
      restarts.push({ downMs, recoveredMs, backends: view.perRole });
      say(
        `restart ${i + 1}: down ${downMs} ms, verifiers right again ${recoveredMs ?? "never (>60 s)"} ms after Postgres was back; backends ${JSON.stringify(view.perRole)}`,
      );
    }
  } finally {
    stopLoad.abort();
  }
  const restartReport = await restartLoad;
  say(formatStorm("restarts", restartReport).replace(/\n/g, "\n[storm] "));
  await new Promise((r) => setTimeout(r, 5000));
  {
    const s = superuserConnection(pg.url);
    afterRestarts = await backendView(s, roles).finally(() => s.end({ timeout: 1 }));
  }
  const dirty: DirtyReport = await sampler.stop();
  say(`backends per role 5 s after the restarts: ${JSON.stringify(afterRestarts.perRole)} (pool sizes ${JSON.stringify(poolSize)})`);
  say(
    `dirty connections: worst unowned dirty span ${dirty.worstUnownedDirtyMs} ms, longest idle in transaction ${dirty.worstIdleInTransactionMs} ms (${dirty.worstIdleInTransactionQuery ?? "-"}), longest active ${dirty.worstActiveMs} ms, ${dirty.samples} samples`,
  );

  const log = app.output();
  const countLog = (re: RegExp) => (log.match(re) ?? []).length;
  const serverLog = {
    unhandledErrorInRoute: countLog(/unhandled error in route/g),
    databaseConnectionLost: countLog(/database connection lost/g),
    couldNotBeScrubbed: countLog(/could not be scrubbed/g),
    drizzleFailedQuery: countLog(/Failed query: /g),
    schemaNameTypeError: countLog(/reading 'schema_name'/g),
  };
  // The distinct messages behind the server's error lines (pino JSON), most frequent first.
  const errorMessages = new Map<string, number>();
  for (const line of log.split("\n")) {
    if (!line.startsWith("{")) continue;
    try {
      const entry = JSON.parse(line) as { level?: number; msg?: string; err?: unknown };
      if ((entry.level ?? 0) < 50) continue;
      const err = typeof entry.err === "string" ? entry.err : ((entry.err as { message?: string; type?: string } | undefined)?.message ?? "");
      const key = `${entry.msg ?? ""}: ${err}`.slice(0, 200);
      errorMessages.set(key, (errorMessages.get(key) ?? 0) + 1);
    } catch {
      // not a log line
    }
  }
  const serverErrorMessages = [...errorMessages]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 12)
    .map(([message, count]) => ({ message, count }));

  // --- the summary ----------------------------------------------------------------------------
  const date = new Date().toISOString().slice(0, 10);
  const summary = {
    date,
    command: `npm run storm -- ${process.argv.slice(2).join(" ")}`.trim(),
    machine: `${cpus().length} cores (${cpus()[0]?.model.trim()}), ${Math.round(totalmem() / 2 ** 30)} GiB`,
    node: process.version,
    settings: { requests: REQUESTS, verifiers: VERIFIERS, aborters: ABORTERS, scale: SCALE, restarts: RESTARTS, poolSize, server: STORM_SERVER_ENV },
    totals: {
      requests: storm.requests + restartReport.requests,
      aborted: storm.aborted + restartReport.aborted,
      abortedShare: (storm.aborted + restartReport.aborted) / Math.max(1, storm.requests + restartReport.requests),
      wrongAnswers: storm.wrongAnswers + restartReport.wrongAnswers,
      innocentCancels: storm.innocentCancels + restartReport.innocentCancels,
      serverErrors5xx: storm.serverErrors + restartReport.serverErrors,
      worstDirtyMs: Math.max(dirty.worstUnownedDirtyMs, dirty.worstIdleInTransactionMs),
      backendsPerRoleAfterRestarts: afterRestarts.perRole,
    },
    storm,
    drain,
    restarts: { each: restarts, load: restartReport, backendsAfter: afterRestarts },
    dirty,
    serverLog,
    serverErrorMessages,
  };
  const md = [
    `# Abort storm — ${date}`,
    "",
    `\`${summary.command}\` on ${summary.machine}, Node ${summary.node}; production build, embedded Postgres of its own, readonly pool ${poolSize.readonly}.`,
    "",
    "| figure | value |",
    "| --- | --- |",
    `| requests (storm + restart load) | ${summary.totals.requests} (${storm.requests} + ${restartReport.requests}) |`,
    `| aborted by the client | ${summary.totals.aborted} (${(summary.totals.abortedShare * 100).toFixed(1)}%) |`,
    `| aborts per kind (storm) | ${(["csv-early", "csv-mid", "json", "sql"] as const).map((k) => `${k} ${storm.byKind[k].aborted}/${storm.byKind[k].requests}`).join(", ")} |`,
    `| verifier answers right (storm) | ${storm.verifierOk} of ${storm.verifierRequests} |`,
    `| wrong answers | ${summary.totals.wrongAnswers} (${storm.wrongEmpty + restartReport.wrongEmpty} of them \`[]\`) |`,
    `| innocent cancels | ${summary.totals.innocentCancels} |`,
    `| 5xx (503 excepted) of requests nobody aborted | ${summary.totals.serverErrors5xx} (storm ${storm.serverErrors}, restarts ${restartReport.serverErrors}) |`,
    `| 503 of requests nobody aborted (storm) | ${JSON.stringify(storm.unavailable)} |`,
    `| 503 during restarts | ${JSON.stringify(restartReport.unavailable)} |`,
    `| other verifier errors | storm ${JSON.stringify(storm.otherVerifierErrors)}, restarts ${JSON.stringify(restartReport.otherVerifierErrors)} |`,
    `| network errors / hung | ${storm.networkErrors + restartReport.networkErrors} / ${storm.hung + restartReport.hung} |`,
    `| readonly inUse 0 after the storm | ${drain.inUseZeroMs ?? "> 90000"} ms |`,
    `| no idle-in-transaction backend after the storm | ${drain.noIdleInTransactionMs ?? "> 90000"} ms |`,
    `| worst unowned dirty span (more dirty readonly backends than requests in flight) | ${dirty.worstUnownedDirtyMs} ms |`,
    `| longest idle in transaction (one readonly backend) | ${dirty.worstIdleInTransactionMs} ms |`,
    `| longest active statement (readonly) | ${dirty.worstActiveMs} ms |`,
    `| recovery after each restart | ${restarts.map((r) => (r.recoveredMs === null ? "never" : `${r.recoveredMs} ms`)).join(", ")} |`,
    `| backends per role after ${RESTARTS} restarts (pool size) | ${Object.entries(afterRestarts.perRole)
      .map(([name, n]) => `${name} ${n}`)
      .join(", ")} (${JSON.stringify(poolSize)}) |`,
    `| server log | ${Object.entries(serverLog)
      .map(([k, v]) => `${k} ${v}`)
      .join(", ")} |`,
    "",
    "Server error lines (level ≥ error), most frequent first:",
    "",
    ...serverErrorMessages.map((e) => `- ${e.count} × ${e.message.replace(/\|/g, "\\|")}`),
    "",
    "Samples (first few per failure kind):",
    "",
    ...Object.entries(storm.samples).flatMap(([kind, list]) =>
      list.slice(0, 3).map((s) => `- ${kind}: \`${s.kind} ${s.path}\` → ${s.status} ${s.detail.replace(/\|/g, "\\|")}`),
    ),
    ...Object.entries(restartReport.samples).flatMap(([kind, list]) =>
      list.slice(0, 3).map((s) => `- restarts ${kind}: \`${s.kind} ${s.path}\` → ${s.status} ${s.detail.replace(/\|/g, "\\|")}`),
    ),
    "",
  ].join("\n");
  process.stdout.write(`\n${md}\n`);
  if (!args["no-write"]) {
    const dir = path.join(ROOT, "bench", "results");
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, `abort-storm-${date}.json`), JSON.stringify(summary, null, 2) + "\n");
    writeFileSync(path.join(dir, `abort-storm-${date}.md`), md);
    say(`wrote bench/results/abort-storm-${date}.{json,md}`);
  }
} finally {
  await cleanup();
}
process.exit(0);
