import { runWrk } from "@/bench/lib/wrk";
import { rssMb, sampleRss } from "@/bench/lib/process-cpu";
import { orderPaths, type BenchContext, type ScenarioResult } from "@/bench/lib/context";
import { auth } from "@/bench/scenarios/pooling";
import { FULL_PATH } from "@/bench/scenarios/overhead";

/**
 * Memory at a steady mixed load of 16 connections: 10 on table reads of
 * four shapes (one row, a 50-row page with an embedded customer, a filtered
 * page, a full 1,000-row page), 2 on CSV pages of 100 customers and 4 on the
 * SQL API (a 2,000-row join). The steady figure is the
 * median RSS over the second half of the run (the first half is the heap
 * growing to its working size); the peak is beside it.
 */
const MIXED_READS = [
  ...orderPaths(FULL_PATH, 100),
  ...Array.from({ length: 40 }, (_, i) => `/api/v1/tables/data.orders?select=id,total,customers(full_name)&order=id&limit=50&offset=${i * 50}`),
  ...Array.from({ length: 20 }, (_, i) => `/api/v1/tables/data.orders?select=id,status&total=gt.${i * 50}&limit=20`),
  // Full pages (the row cap): the big answers a grid or an export script asks for.
  ...Array.from({ length: 10 }, (_, i) => `/api/v1/tables/data.orders?order=id&limit=1000&offset=${i * 1000}`),
];
const CSV_PAGES = Array.from({ length: 20 }, (_, i) => `/api/v1/tables/data.customers?select=id,full_name,country&limit=100&offset=${i * 100}`);
const SQL_BODY = JSON.stringify({
  sql: "select o.*, c.full_name from data.orders o join data.customers c on c.id = o.customer_id order by o.id limit 2000",
});

export async function steadyRssScenario(ctx: BenchContext): Promise<ScenarioResult> {
  const app = await ctx.startServer({});
  try {
    const pid = app.process.pid!;
    const idle = rssMb(pid);
    const durationS = ctx.quick ? 6 : 2 * ctx.durationS;
    const sampler = sampleRss(pid);
    const [reads, csv, sql] = await Promise.all([
      runWrk({ url: app.url, connections: 10, durationS, headers: auth(ctx), paths: MIXED_READS, countStatuses: true }),
      runWrk({ url: app.url, connections: 2, durationS, headers: { ...auth(ctx), accept: "text/csv" }, paths: CSV_PAGES, countStatuses: true }),
      runWrk({
        url: app.url,
        connections: 4,
        durationS,
        method: "POST",
        headers: { ...auth(ctx), "content-type": "application/json" },
        body: SQL_BODY,
        paths: ["/api/v1/sql"],
        countStatuses: true,
      }),
    ]);
    const samples = sampler.stop();
    await new Promise((r) => setTimeout(r, 3000));
    const after = rssMb(pid);
    const secondHalf = samples.slice(Math.floor(samples.length / 2)).sort((a, b) => a - b);
    const steady = secondHalf[Math.floor(secondHalf.length / 2)] ?? 0;
    const peak = Math.max(...samples);
    ctx.say(
      `rss: idle ${idle} MB, steady ${steady} MB, peak ${peak} MB, 3 s after ${after} MB; reads ${reads.requestsPerS}/s ${JSON.stringify(reads.statuses)}, csv ${csv.requestsPerS}/s ${JSON.stringify(csv.statuses)}, sql ${sql.requestsPerS}/s ${JSON.stringify(sql.statuses)}`,
    );
    const failed = [reads, csv, sql].reduce((n, r) => n + r.errors.status + r.errors.timeout, 0);
    return {
      title: "Memory at a steady mixed load (16 connections: table reads, CSV pages and the SQL API)",
      data: { idle, steady, peak, after, samples, reads, csv, sql },
      targets: [
        { name: "steady RSS at mixed c16", goal: "≤ 350 MB", measured: `${steady} MB`, met: steady <= 350 },
        { name: "failed requests in the mixed load", goal: "0", measured: String(failed), met: failed === 0 },
      ],
      table: {
        header: ["measure", "value"],
        rows: [
          ["RSS idle (after start-up)", `${idle} MB`],
          ["RSS steady (median, second half)", `${steady} MB`],
          ["RSS peak", `${peak} MB`],
          ["RSS 3 s after the load", `${after} MB`],
          ["table reads (10 connections)", `${reads.requestsPerS} req/s, p99 ${reads.p99} ms`],
          ["CSV pages (2 connections)", `${csv.requestsPerS} req/s, p99 ${csv.p99} ms`],
          ["SQL API (4 connections)", `${sql.requestsPerS} req/s, p99 ${sql.p99} ms`],
          ["failed", failed],
        ],
      },
    };
  } finally {
    await app.stop();
  }
}
