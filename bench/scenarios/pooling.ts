import { runWrk, type WrkResult } from "@/bench/lib/wrk";
import { withCpu, type CpuPerRequest } from "@/bench/lib/measure";
import { orderPaths, pidsOf, type BenchContext, type ScenarioResult } from "@/bench/lib/context";
import { FULL_PATH } from "@/bench/scenarios/overhead";
import { barChart } from "@/bench/lib/svg-bars";
import { pgbouncerInstalled, startPgBouncer } from "@/tests/support/pgbouncer";

/**
 * The same API read (one indexed row of data.orders through the full stack)
 * with the pool, with a fresh connection per request, and with a fresh
 * connection per request to PgBouncer (transaction mode) when installed.
 * Closed loop with wrk; Postgres's CPU per request (postmaster and backends,
 * the exited ones included) shows what a connection per request costs there.
 */
const PATH = FULL_PATH;
type Measured = WrkResult & { cpuUsPerRequest: CpuPerRequest };

export async function poolingScenario(ctx: BenchContext): Promise<ScenarioResult> {
  const modes: { name: string; env: Record<string, string>; stop?: () => Promise<void> }[] = [
    { name: "pooled", env: { DB_POOL_MODE: "pooled" } },
    { name: "direct", env: { DB_POOL_MODE: "direct" } },
  ];
  const notes: string[] = [];
  if (pgbouncerInstalled()) {
    const users = Object.fromEntries(
      (["READONLY", "APP", "ADMIN"] as const).map((r) => [`${ctx.envVars.DB_ROLE_PREFIX}${r.toLowerCase()}_user`, ctx.envVars[`DB_${r}_PASSWORD`]!]),
    );
    const bouncer = await startPgBouncer({ serverHost: ctx.serverPort.host, serverPort: ctx.serverPort.port, users, poolSize: 10 });
    const poolerUrl = new URL(ctx.envVars.DATABASE_URL!);
    poolerUrl.host = `127.0.0.1:${bouncer.port}`;
    modes.push({
      name: "pgbouncer (direct per request)",
      env: { DB_POOL_MODE: "direct", DATABASE_POOLER_URL: poolerUrl.toString() },
      stop: bouncer.stop,
    });
  } else {
    notes.push("pgbouncer is not installed here (apt-get install pgbouncer), so the PgBouncer comparison was skipped.");
  }

  const results: Record<string, Record<number, Measured>> = {};
  for (const mode of modes) {
    const app = await ctx.startServer(mode.env);
    try {
      results[mode.name] = {};
      for (const connections of [1, 32]) {
        await runWrk({ url: app.url, connections, durationS: 2, headers: auth(ctx), paths: orderPaths(PATH, 50) }); // warm-up
        const r = await withCpu(
          pidsOf(ctx, app),
          (x) => x.requests,
          () => runWrk({ url: app.url, connections, durationS: ctx.durationS, headers: auth(ctx), paths: orderPaths(PATH) }),
        );
        results[mode.name]![connections] = r;
        ctx.say(
          `pooling: ${mode.name} c=${connections}: ${r.requestsPerS} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms, server ${r.cpuUsPerRequest.server} µs/req, Postgres ${r.cpuUsPerRequest.postgres} µs/req, errors ${r.errors.status}`,
        );
      }
    } finally {
      await app.stop();
      await mode.stop?.();
    }
  }

  const rps = (mode: string, c: number) => results[mode]?.[c]?.requestsPerS ?? 0;
  const pooledVsDirect = rps("pooled", 32) / Math.max(1e-9, rps("direct", 32));
  const bouncerName = "pgbouncer (direct per request)";
  const targets = [
    {
      name: "pooled vs direct throughput at c=32",
      goal: "≥ 10×",
      measured: `${pooledVsDirect.toFixed(1)}×`,
      met: pooledVsDirect >= 10,
    },
  ];
  if (results[bouncerName]) {
    const vsBouncer = rps("pooled", 32) / Math.max(1e-9, rps(bouncerName, 32));
    targets.push({
      name: "pooled vs PgBouncer-per-request throughput at c=32",
      goal: "≥ 2.5×",
      measured: `${vsBouncer.toFixed(1)}×`,
      met: vsBouncer >= 2.5,
    });
  }
  const rows = Object.entries(results).flatMap(([mode, byC]) =>
    Object.entries(byC).map(([c, r]) => [
      mode,
      c,
      r.requestsPerS,
      r.p50,
      r.p99,
      r.cpuUsPerRequest.server,
      r.cpuUsPerRequest.postgres,
      r.errors.status + r.errors.timeout + r.errors.connect + r.errors.read,
    ]),
  );
  return {
    title: "Pooling: pooled vs a connection per request",
    data: { results },
    targets,
    table: { header: ["mode", "concurrency", "req/s", "p50 ms", "p99 ms", "server µs CPU/req", "Postgres µs CPU/req", "failed"], rows },
    chart: {
      file: "pooling.svg",
      svg: barChart(
        "Table API read, requests/s at concurrency 32",
        Object.keys(results).map((mode) => ({ label: mode, value: rps(mode, 32), text: `${rps(mode, 32)} req/s` })),
        "req/s",
      ),
    },
    notes,
  };
}

export const auth = (ctx: BenchContext) => ({ authorization: `Bearer ${ctx.token}` });
