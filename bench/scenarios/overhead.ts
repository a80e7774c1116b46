import { runLoad } from "@/bench/lib/load";
import { orderPaths, type BenchContext, type ScenarioResult } from "@/bench/lib/context";
import { barChart } from "@/bench/lib/svg-bars";
import { auth } from "@/bench/scenarios/pooling";

/**
 * What the full Sluice path costs over a bare route handler running the same
 * query: proxy rate limit (Redis), token auth (Redis), validation, catalog
 * check, gate, SQL builder, JSON.
 */
export async function overheadScenario(ctx: BenchContext): Promise<ScenarioResult> {
  const app = await ctx.startServer({});
  try {
    const run = async (label: string, prefix: string, headers: Record<string, string>) => {
      await runLoad({ url: app.url, connections: 32, durationS: 1, headers, paths: orderPaths(prefix, 50) });
      const r = await runLoad({ url: app.url, connections: 32, durationS: ctx.durationS, headers, paths: orderPaths(prefix) });
      ctx.say(`overhead: ${label}: ${r.requestsPerS} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms, non-2xx ${r.non2xx}`);
      return r;
    };
    const bare = await run("bare handler", "/api/bench/bare?id=", {});
    const full = await run("full path", "/api/v1/tables/data.orders?select=id,status,total&id=eq.", auth(ctx));
    const ratio = full.requestsPerS / Math.max(1e-9, bare.requestsPerS);
    return {
      title: "Stack overhead: bare route handler vs the full Sluice path",
      data: { bare, full, ratio, addedP50Ms: full.p50 - bare.p50 },
      targets: [{ name: "full path throughput vs bare handler", goal: "≥ 80%", measured: `${(ratio * 100).toFixed(0)}%`, met: ratio >= 0.8 }],
      table: {
        header: ["path", "req/s", "p50 ms", "p99 ms", "failed"],
        rows: [
          ["bare handler (same query)", bare.requestsPerS, bare.p50, bare.p99, bare.non2xx + bare.errors],
          ["full path (proxy, token, gate, API)", full.requestsPerS, full.p50, full.p99, full.non2xx + full.errors],
          ["added p50", "", (full.p50 - bare.p50).toFixed(2), "", ""],
        ],
      },
      chart: {
        file: "overhead.svg",
        svg: barChart(
          "Requests/s at concurrency 32",
          [
            { label: "bare handler", value: bare.requestsPerS, text: `${bare.requestsPerS} req/s` },
            { label: "full Sluice path", value: full.requestsPerS, text: `${full.requestsPerS} req/s` },
          ],
          "req/s",
        ),
      },
    };
  } finally {
    await app.stop();
  }
}
