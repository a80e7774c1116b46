import { runWrk } from "@/bench/lib/wrk";
import { runOpenLoop, type OpenLoopResult } from "@/bench/lib/open-loop";
import { withCpu } from "@/bench/lib/measure";
import { orderPaths, pidsOf, type BenchContext, type ScenarioResult } from "@/bench/lib/context";
import { barChart } from "@/bench/lib/svg-bars";
import { auth } from "@/bench/scenarios/pooling";
import { FULL_PATH } from "@/bench/scenarios/overhead";

/**
 * Overload with the default pool and admission settings (rate limits out of
 * the way): capacity is what a closed loop of 16 connections gets served
 * (within the default maximum of 20 in flight, so nothing is refused for
 * want of a place); then a fixed arrival rate at a quarter of it (the
 * unloaded latency), at 2× and at 5× of it, and closed loops of 32 and 256
 * connections (c256 is compared with c32, as refusals start there). What must hold:
 * the work served stays near capacity, refusals are fast, and the requests
 * that are served are not slowed by the ones refused.
 */
export async function overloadScenario(ctx: BenchContext): Promise<ScenarioResult> {
  // DB_POOL_MAX_WAITING back to its default (the throughput scenarios raise it): the admission limit follows it.
  const app = await ctx.startServer({ DB_POOL_MAX_WAITING: "10" });
  const headers = auth(ctx);
  const paths = orderPaths(FULL_PATH);
  try {
    const pids = pidsOf(ctx, app);
    await runWrk({ url: app.url, connections: 32, durationS: 2, headers, paths });
    const closed = (connections: number) =>
      withCpu(
        pids,
        (r) => r.requests,
        () => runWrk({ url: app.url, connections, durationS: ctx.durationS, headers, paths, countStatuses: true, timeoutS: 30 }),
      );
    const c16 = await closed(16);
    const capacity = c16.goodputPerS;
    ctx.say(`overload: capacity (closed loop c16) ${capacity} req/s served, server ${c16.cpuUsPerRequest.server} µs/req`);
    const open = async (factor: number) => {
      const r = await withCpu(
        pids,
        (x) => x.completed,
        () =>
          runOpenLoop({ url: app.url, ratePerS: Math.max(1, Math.round(capacity * factor)), durationS: ctx.durationS, headers, paths, timeoutS: 30 }),
      );
      ctx.say(
        `overload: open loop ${factor}× (${r.offeredPerS}/s): served ${r.goodputPerS}/s p99 ${r.byStatus["200"]?.p99 ?? "-"} ms, shed ${r.byStatus["503"]?.count ?? 0} p50 ${r.byStatus["503"]?.p50 ?? "-"} p99 ${r.byStatus["503"]?.p99 ?? "-"} max ${r.byStatus["503"]?.max ?? "-"} ms, served p50 ${r.byStatus["200"]?.p50 ?? "-"} ms, sockets ${r.socketsOpened}, timeouts ${r.timeouts}, socket errors ${r.socketErrors}, server ${r.cpuUsPerRequest.server} µs/req, generator ${r.cpuUsPerRequest.generator} µs/req`,
      );
      return r;
    };
    const unloaded = await open(0.25);
    const twice = await open(2);
    const fivefold = await open(5);
    const c32 = await closed(32);
    const c256 = await closed(256);
    ctx.say(`overload: closed loop c256 ${c256.goodputPerS} req/s served of ${c256.requestsPerS}, statuses ${JSON.stringify(c256.statuses)}`);

    const servedP99 = (r: OpenLoopResult) => r.byStatus["200"]?.p99 ?? Infinity;
    const shedP99 = (r: OpenLoopResult) => r.byStatus["503"]?.p99 ?? 0;
    const unloadedP99 = servedP99(unloaded);
    const failedOpen = (r: OpenLoopResult) =>
      r.timeouts + r.socketErrors + Object.entries(r.byStatus).reduce((n, [s, f]) => n + (s === "200" || s === "503" ? 0 : f.count), 0);
    const failedClosed =
      Object.entries(c256.statuses).reduce((n, [s, count]) => n + (s === "200" || s === "503" ? 0 : count), 0) + c256.errors.timeout;
    const failed = failedOpen(twice) + failedOpen(fivefold) + failedClosed;
    const targets = [
      ...[
        ["2×", twice],
        ["5×", fivefold],
      ].flatMap(([label, r]) => {
        const run = r as OpenLoopResult;
        return [
          {
            name: `open loop at ${label} capacity: served`,
            goal: "≥ 90% of capacity",
            measured: `${((run.goodputPerS / capacity) * 100).toFixed(0)}% (${run.goodputPerS} of ${capacity} req/s)`,
            met: run.goodputPerS >= 0.9 * capacity,
          },
          { name: `open loop at ${label} capacity: shed p99`, goal: "≤ 50 ms", measured: `${shedP99(run)} ms`, met: shedP99(run) <= 50 },
          {
            name: `open loop at ${label} capacity: served p99 vs unloaded`,
            goal: "≤ 2×",
            measured: `${(servedP99(run) / unloadedP99).toFixed(1)}× (${servedP99(run)} vs ${unloadedP99} ms)`,
            met: servedP99(run) <= 2 * unloadedP99,
          },
        ];
      }),
      {
        name: "closed loop c256 served vs c32",
        goal: "≥ 80%",
        measured: `${((c256.goodputPerS / c32.goodputPerS) * 100).toFixed(0)}% (${c256.goodputPerS} vs ${c32.goodputPerS} req/s)`,
        met: c256.goodputPerS >= 0.8 * c32.goodputPerS,
      },
      { name: "hung or otherwise failed requests under overload", goal: "0", measured: String(failed), met: failed === 0 },
    ];
    const openRow = (label: string, r: OpenLoopResult & { cpuUsPerRequest: { server: number; generator: number } }) => [
      label,
      r.offeredPerS,
      r.goodputPerS,
      r.byStatus["200"]?.p50 ?? "-",
      servedP99(r) === Infinity ? "-" : servedP99(r),
      r.byStatus["503"]?.count ?? 0,
      r.byStatus["503"]?.p99 ?? "-",
      r.cpuUsPerRequest.server,
      r.cpuUsPerRequest.generator,
      failedOpen(r),
    ];
    const closedRow = (label: string, r: typeof c32) => [
      label,
      "closed",
      r.goodputPerS,
      "-",
      "-",
      r.statuses["503"] ?? 0,
      "-",
      r.cpuUsPerRequest.server,
      r.cpuUsPerRequest.generator,
      r.errors.timeout,
    ];
    return {
      title: "Overload: default pool (10) and admission (adaptive, at most 20 in flight), table read",
      data: { capacity, c16, c32, unloaded, twice, fivefold, c256 },
      targets,
      table: {
        header: [
          "load",
          "offered /s",
          "served /s",
          "served p50 ms",
          "served p99 ms",
          "shed (503)",
          "shed p99 ms",
          "server µs CPU/req",
          "generator µs/req",
          "failed",
        ],
        rows: [
          closedRow("closed loop c16 (capacity)", c16),
          openRow("open loop 0.25× (unloaded)", unloaded),
          openRow("open loop 2×", twice),
          openRow("open loop 5×", fivefold),
          closedRow("closed loop c32", c32),
          closedRow("closed loop c256", c256),
        ],
      },
      notes: [
        "Closed-loop latencies are wrk's (all statuses together); open-loop latencies count from each request's scheduled departure, so queueing in the generator or the server is included.",
        `Open-loop requests whose kept connection closed before their answer were sent again once on a fresh one (as HTTP clients do for idempotent requests): ${twice.retried} at 2×, ${fivefold.retried} at 5×; a second loss counts as failed.`,
      ],
      chart: {
        file: "overload.svg",
        svg: barChart(
          "Served requests/s under load",
          [
            { label: "capacity (c16)", value: capacity },
            { label: "open 2×", value: twice.goodputPerS },
            { label: "open 5×", value: fivefold.goodputPerS },
            { label: "closed c32", value: c32.goodputPerS },
            { label: "closed c256", value: c256.goodputPerS },
          ],
          "req/s",
        ),
      },
    };
  } finally {
    await app.stop();
  }
}
