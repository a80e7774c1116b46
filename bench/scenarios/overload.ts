import { runLoad } from "@/bench/lib/load";
import type { BenchContext, ScenarioResult } from "@/bench/lib/context";
import { barChart } from "@/bench/lib/svg-bars";
import { auth } from "@/bench/scenarios/pooling";

/**
 * 256 concurrent clients against a pool of 10 connections with 10 waiting
 * places. Each request holds its connection ~20 ms (pg_sleep), so the pool
 * can serve ~500/s and the rest must be shed fast with 503 + Retry-After —
 * by the front-door admission limit (API_MAX_IN_FLIGHT, default 40 here) or
 * by the pool gate.
 */
const SQL_BODY = JSON.stringify({ sql: "select pg_sleep(0.02) as slept" });

export async function overloadScenario(ctx: BenchContext): Promise<ScenarioResult> {
  const app = await ctx.startServer({ DB_POOL_SIZE: "10", DB_POOL_MAX_WAITING: "10", DB_POOL_ACQUIRE_TIMEOUT_MS: "5000" });
  const headers = { ...auth(ctx), "content-type": "application/json" };
  const load = (connections: number, durationS: number) =>
    runLoad({ url: `${app.url}/api/v1/sql`, method: "POST", body: SQL_BODY, headers, connections, durationS, timeoutS: 30 });
  try {
    await load(8, 1);
    const baseline = await load(8, Math.max(2, ctx.durationS / 2));
    ctx.say(`overload: baseline c=8 ${baseline.requestsPerS} req/s`);
    const burst = await load(256, ctx.durationS);
    const shed = burst.byStatus["503"];
    const ok = burst.byStatus["200"];
    const other = Object.entries(burst.byStatus).filter(([s]) => s !== "200" && s !== "503");
    ctx.say(
      `overload: c=256 ${burst.requests} requests, 200: ${ok?.count ?? 0}, 503: ${shed?.count ?? 0} (p99 ${shed?.p99 ?? "-"} ms), other: ${JSON.stringify(other)}, timeouts ${burst.timeouts}, errors ${burst.errors}`,
    );

    // Recovery: how long until a modest load gets its baseline throughput back.
    const started = performance.now();
    let recoveredMs: number | null = null;
    for (let i = 0; i < 20; i++) {
      const probe = await load(8, 0.5);
      if (probe.requestsPerS >= 0.9 * baseline.requestsPerS && (probe.byStatus["503"]?.count ?? 0) === 0) {
        recoveredMs = Math.round(performance.now() - started);
        break;
      }
    }
    const shedShare = (shed?.count ?? 0) / Math.max(1, burst.requests);
    // Anything other than 200/503 is a bug worth seeing in the report, with the server's own words.
    const serverErrors = app
      .output()
      .split("\n")
      .filter((line) => /"level":50|uncaught/i.test(line))
      .slice(0, 3)
      .map((line) => line.slice(0, 400));
    const failed = burst.timeouts + burst.errors + other.reduce((n, [, s]) => n + s.count, 0);
    return {
      title: "Overload: 256 concurrent clients, pool of 10, 10 waiting places",
      data: { baseline, burst, shedShare, recoveredMs },
      targets: [
        { name: "shed (503) responses p99", goal: "≤ 50 ms", measured: `${shed?.p99 ?? "n/a"} ms`, met: (shed?.p99 ?? Infinity) <= 50 },
        { name: "hung or otherwise failed requests", goal: "0", measured: String(failed), met: failed === 0 },
      ],
      table: {
        header: ["measure", "value"],
        rows: [
          ["requests in the burst", burst.requests],
          ["served (200)", `${ok?.count ?? 0} (p50 ${ok?.p50 ?? "-"} ms, p99 ${ok?.p99 ?? "-"} ms)`],
          [
            "shed (503 + Retry-After)",
            `${shed?.count ?? 0} = ${(shedShare * 100).toFixed(1)}% (p50 ${shed?.p50 ?? "-"} ms, p99 ${shed?.p99 ?? "-"} ms)`,
          ],
          ["hung / failed", failed],
          ["throughput before / during", `${baseline.requestsPerS} / ${burst.requestsPerS} req/s`],
          // 256 clients that each send again as soon as they are answered: the mean response time
          // cannot be below connections / throughput, however cheap each refusal is.
          ["closed-loop floor of the mean latency (256 ÷ req/s during)", `${((256 / Math.max(1e-9, burst.requestsPerS)) * 1000).toFixed(1)} ms`],
          ["time to full throughput after the burst", recoveredMs === null ? "not within 10 s" : `${recoveredMs} ms`],
        ],
      },
      notes: serverErrors.length
        ? [`first server error lines during the burst: ${serverErrors.map((l) => "`" + l.replaceAll("`", "'") + "`").join("; ")}`]
        : [],
      chart: {
        file: "overload.svg",
        svg: barChart(
          "Responses during the burst (count)",
          [
            { label: "200 served", value: ok?.count ?? 0 },
            { label: "503 shed", value: shed?.count ?? 0 },
            { label: "hung / failed", value: failed },
          ],
          "",
        ),
      },
    };
  } finally {
    await app.stop();
  }
}
