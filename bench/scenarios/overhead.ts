import { runWrk } from "@/bench/lib/wrk";
import { withCpu } from "@/bench/lib/measure";
import { orderPaths, pidsOf, type BenchContext, type ScenarioResult } from "@/bench/lib/context";
import { barChart } from "@/bench/lib/svg-bars";
import { auth } from "@/bench/scenarios/pooling";

/**
 * What the full Sluice path costs over a bare route handler running the same
 * query (a Next route on postgres.js: no proxy, no auth, no gate): the first
 * gate's rate limit and token read (Redis), authentication, validation,
 * catalog check, pool gate, SQL builder, JSON. A token's table read takes the
 * direct path (lib/server/4-direct-api.ts), so the full path no longer crosses
 * Next's router and proxy while the bare handler still does. Closed loop at
 * 32 connections with wrk; beside req/s, each process's CPU per request.
 */
export const FULL_PATH = "/api/v1/tables/data.orders?select=id,status,total&id=eq.";
const BARE_PATH = "/api/bench/bare?id=";

export async function overheadScenario(ctx: BenchContext): Promise<ScenarioResult> {
  const app = await ctx.startServer({});
  try {
    const pids = pidsOf(ctx, app);
    const run = async (label: string, prefix: string, headers: Record<string, string>) => {
      // Warm-up: compiled code, opened connections, filled caches; not measured.
      await runWrk({ url: app.url, connections: 32, durationS: 2, headers, paths: orderPaths(prefix, 50) });
      const r = await withCpu(
        pids,
        (x) => x.requests,
        () => runWrk({ url: app.url, connections: 32, durationS: ctx.durationS, headers, paths: orderPaths(prefix) }),
      );
      ctx.say(
        `overhead: ${label}: ${r.requestsPerS} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms, server ${r.cpuUsPerRequest.server} µs CPU/req, errors ${r.errors.status}`,
      );
      return r;
    };
    const bare = await run("bare handler", BARE_PATH, {});
    const full = await run("full path", FULL_PATH, auth(ctx));
    const ratio = full.requestsPerS / Math.max(1e-9, bare.requestsPerS);
    const cpuRatio = full.cpuUsPerRequest.server / Math.max(1, bare.cpuUsPerRequest.server);
    const row = (label: string, r: typeof bare) => [
      label,
      r.requestsPerS,
      r.p50,
      r.p99,
      r.cpuUsPerRequest.server,
      r.cpuUsPerRequest.postgres,
      r.cpuUsPerRequest.redis,
      r.cpuUsPerRequest.generator,
      r.errors.status + r.errors.timeout,
    ];
    return {
      title: "Stack overhead: bare route handler vs the full Sluice path (c=32, wrk)",
      data: { bare, full, ratio, cpuRatio },
      targets: [
        { name: "full path throughput vs bare handler", goal: "≥ 80%", measured: `${(ratio * 100).toFixed(0)}%`, met: ratio >= 0.8 },
        {
          name: "full path server CPU per request vs bare handler",
          goal: "≤ 1.25×",
          measured: `${cpuRatio.toFixed(2)}× (${full.cpuUsPerRequest.server} vs ${bare.cpuUsPerRequest.server} µs)`,
          met: cpuRatio <= 1.25,
        },
      ],
      table: {
        header: ["path", "req/s", "p50 ms", "p99 ms", "server µs CPU/req", "Postgres µs/req", "Redis µs/req", "wrk µs/req", "failed"],
        rows: [row("bare handler (same query)", bare), row("full path (first gate, token, pool, API; direct path)", full)],
      },
      chart: {
        file: "overhead.svg",
        svg: barChart(
          "Server CPU per request (µs), c=32",
          [
            { label: "bare handler", value: bare.cpuUsPerRequest.server, text: `${bare.cpuUsPerRequest.server} µs · ${bare.requestsPerS} req/s` },
            { label: "full Sluice path", value: full.cpuUsPerRequest.server, text: `${full.cpuUsPerRequest.server} µs · ${full.requestsPerS} req/s` },
          ],
          "µs",
        ),
      },
    };
  } finally {
    await app.stop();
  }
}
