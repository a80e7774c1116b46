import postgres from "postgres";
import { RolePool } from "@/lib/db/pool";
import { roleCredentials, roleUrl } from "@/lib/db/roles";
import type { BenchContext, ScenarioResult } from "@/bench/lib/context";
import { poolConfig } from "@/tests/support/pool-config";

/**
 * What the gate and the slots cost over postgres.js itself, with no HTTP in
 * the way: `pool.run(unit => unit.sql\`select 1\`)` against raw postgres.js
 * with the same number of kept connections (pipelining off, as the pool runs
 * it: one statement per connection at a time), each driven by the same
 * number of callers in this process, in alternating rounds. CPU per operation
 * is this process's own (nothing else runs in it meanwhile).
 */
const SIZE = 10;
const ROUNDS = 5;

/** The round with the median CPU per operation. */
function median(rounds: Figures[]): Figures {
  return [...rounds].sort((a, b) => a.cpuUsPerOp - b.cpuUsPerOp)[Math.floor(rounds.length / 2)]!;
}

interface Figures {
  opsPerS: number;
  cpuUsPerOp: number;
  p50Us: number;
  p99Us: number;
}

async function drive(callers: number, durationS: number, op: () => Promise<unknown>): Promise<Figures> {
  for (let i = 0; i < 200; i++) await op(); // warm: connections open, code optimised
  const latencies: number[] = [];
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const endsAt = started + durationS * 1000;
  await Promise.all(
    Array.from({ length: callers }, async () => {
      while (performance.now() < endsAt) {
        const t = performance.now();
        await op();
        latencies.push(performance.now() - t);
      }
    }),
  );
  const elapsedS = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  latencies.sort((a, b) => a - b);
  const at = (q: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]! * 1000);
  return {
    opsPerS: Math.round(latencies.length / elapsedS),
    cpuUsPerOp: Math.round(((cpu.user + cpu.system) / latencies.length) * 10) / 10,
    p50Us: at(0.5),
    p99Us: at(0.99),
  };
}

export async function poolMicroScenario(ctx: BenchContext): Promise<ScenarioResult> {
  const url = roleUrl(ctx.envVars.DATABASE_URL!, roleCredentials(ctx.env, "readonly"));
  const durationS = Math.max(5, ctx.durationS);
  const raw = postgres(url, { max: SIZE, max_pipeline: 0, onnotice: () => {} } as postgres.Options<Record<string, postgres.PostgresType>>);
  const pool = new RolePool(poolConfig("readonly", url, { size: SIZE, min: SIZE, maxWaiting: 1000, acquireTimeoutMs: 10_000 }));
  const results: Record<string, Record<number, Figures>> = { "raw postgres.js": {}, "Sluice pool (gate + slot)": {} };
  const variants: Record<string, () => Promise<unknown>> = {
    "raw postgres.js": () => raw`select 1`,
    "Sluice pool (gate + slot)": () => pool.run((unit) => unit.sql`select 1`),
  };
  try {
    for (const callers of [1, 32]) {
      // Rounds alternate between the two, and each keeps its median round: a neighbour that
      // starts or stops mid-run (a build, a GC-heavy moment) weighs on both alike.
      const rounds: Record<string, Figures[]> = { "raw postgres.js": [], "Sluice pool (gate + slot)": [] };
      for (let round = 0; round < ROUNDS; round++) {
        for (const [name, op] of Object.entries(variants)) rounds[name]!.push(await drive(callers, durationS / ROUNDS, op));
      }
      for (const [name, figures] of Object.entries(rounds)) results[name]![callers] = median(figures);
      for (const [name, byCallers] of Object.entries(results)) {
        const f = byCallers[callers]!;
        ctx.say(`pool micro: ${name} ×${callers}: ${f.opsPerS} ops/s, ${f.cpuUsPerOp} µs CPU/op, p50 ${f.p50Us} µs, p99 ${f.p99Us} µs`);
      }
    }
  } finally {
    await raw.end({ timeout: 5 });
    await pool.close();
  }
  const rawC = results["raw postgres.js"]![32]!;
  const poolC = results["Sluice pool (gate + slot)"]![32]!;
  const cpuRatio = poolC.cpuUsPerOp / rawC.cpuUsPerOp;
  const opsRatio = poolC.opsPerS / rawC.opsPerS;
  return {
    title: "Pool micro-benchmark: `pool.run(select 1)` vs raw postgres.js, no HTTP",
    data: { results, cpuRatio, opsRatio },
    targets: [
      {
        name: "pool CPU per operation over raw postgres.js (32 callers, 10 connections)",
        goal: "≤ 1.10×",
        measured: `${cpuRatio.toFixed(2)}× (${poolC.cpuUsPerOp} vs ${rawC.cpuUsPerOp} µs)`,
        met: cpuRatio <= 1.1,
      },
      {
        name: "pool throughput vs raw postgres.js (32 callers)",
        goal: "≥ 90%",
        measured: `${(opsRatio * 100).toFixed(0)}%`,
        met: opsRatio >= 0.9,
      },
    ],
    table: {
      header: ["client", "callers", "ops/s", "CPU µs/op", "p50 µs", "p99 µs"],
      rows: Object.entries(results).flatMap(([name, byCallers]) =>
        Object.entries(byCallers).map(([callers, f]) => [name, callers, f.opsPerS, f.cpuUsPerOp, f.p50Us, f.p99Us]),
      ),
    },
  };
}
