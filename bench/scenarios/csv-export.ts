import type { BenchContext, ScenarioResult } from "@/bench/lib/context";
import { processCpuUs, rssMb } from "@/bench/lib/process-cpu";
import { auth } from "@/bench/scenarios/pooling";

/** A 1,000,000-row CSV through the SQL API, streamed: rows/s and the server's peak RSS growth. */
const ROWS = 1_000_000;

export async function csvScenario(ctx: BenchContext): Promise<ScenarioResult> {
  // The byte cap (SQL_MAX_BYTES, 50 MB by default) would cut the 72 MB of this export: raised here, as for any bulk export.
  const app = await ctx.startServer({ RATE_LIMIT_SQL_LIMIT: "1000000", SQL_MAX_BYTES: String(512 * 1024 * 1024), SQL_MAX_ROWS: String(ROWS) });
  try {
    const pid = app.process.pid!;
    await new Promise((r) => setTimeout(r, 500));
    const before = rssMb(pid);
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, rssMb(pid))), 50);
    const cpuBefore = processCpuUs(pid);
    const started = performance.now();
    const response = await fetch(`${app.url}/api/v1/sql`, {
      method: "POST",
      headers: { ...auth(ctx), "content-type": "application/json", accept: "text/csv" },
      body: JSON.stringify({ sql: `select g as id, md5(g::text) as hash, now() as at from generate_series(1, ${ROWS}) g`, maxRows: ROWS }),
    });
    let lines = 0;
    let bytes = 0;
    const reader = response.body!.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.byteLength;
      // indexOf scans in C++; a per-byte JS loop here took CPU from the server it measures.
      for (let at = value.indexOf(10); at !== -1; at = value.indexOf(10, at + 1)) lines++;
    }
    const seconds = (performance.now() - started) / 1000;
    const serverCpuS = (processCpuUs(pid) - cpuBefore) / 1e6;
    clearInterval(sampler);
    const rows = Math.max(0, lines - 1);
    const rowsPerS = Math.round(rows / seconds);
    const growth = Math.round(peak - before);
    ctx.say(
      `csv: status ${response.status}, ${rows} rows, ${(bytes / 1e6).toFixed(1)} MB in ${seconds.toFixed(2)} s = ${rowsPerS} rows/s, RSS ${before.toFixed(0)} → peak ${peak.toFixed(0)} MB`,
    );
    return {
      title: "CSV export of 1M rows (SQL API, streamed)",
      data: { status: response.status, rows, bytes, seconds, rowsPerS, serverCpuS, rssBeforeMb: before, rssPeakMb: peak, rssGrowthMb: growth },
      targets: [
        { name: "CSV rows per second", goal: "≥ 300,000", measured: rowsPerS.toLocaleString("en-US"), met: rowsPerS >= 300_000 && rows === ROWS },
        { name: "peak RSS growth", goal: "≤ 150 MB", measured: `${growth} MB`, met: growth <= 150 },
      ],
      table: {
        header: ["measure", "value"],
        rows: [
          ["HTTP status", response.status],
          ["rows received", rows.toLocaleString("en-US")],
          ["bytes", `${(bytes / 1e6).toFixed(1)} MB`],
          ["time", `${seconds.toFixed(2)} s`],
          ["rows/s", rowsPerS.toLocaleString("en-US")],
          ["server CPU", `${serverCpuS.toFixed(2)} s = ${((serverCpuS * 1e6) / Math.max(1, rows)).toFixed(2)} µs per row`],
          ["server RSS before → peak", `${before.toFixed(0)} → ${peak.toFixed(0)} MB (+${growth} MB)`],
        ],
      },
    };
  } finally {
    await app.stop();
  }
}
