import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { cpus, totalmem } from "node:os";
import path from "node:path";
import postgres from "postgres";
import Redis from "ioredis";
import { startAppServer } from "@/tests/support/app-server";
import type { BenchContext, ScenarioResult } from "@/bench/lib/context";
import { writeReport } from "@/bench/lib/report";
import { buildProductionServer } from "@/bench/lib/build";
import { startBenchServices } from "@/bench/lib/services";
import { csvScenario } from "@/bench/scenarios/csv-export";
import { overheadScenario } from "@/bench/scenarios/overhead";
import { overloadScenario } from "@/bench/scenarios/overload";
import { poolingScenario } from "@/bench/scenarios/pooling";
import { rateLimiterScenario } from "@/bench/scenarios/rate-limiter";
import { poolMicroScenario } from "@/bench/scenarios/pool-micro";
import { steadyRssScenario } from "@/bench/scenarios/steady-rss";

/**
 * `npm run bench` (full) / `npm run bench -- --quick` (CI): builds the
 * production server into .next-bench (or reuses a build with --reuse-build),
 * brings up Postgres with the full demo dataset and Redis, runs each scenario
 * side by side and writes bench/results/<date>-<mode>.{json,md} + SVG charts.
 * `--only=overload,csv` runs just those scenarios and prints their figures
 * without writing a report (for working on one of them).
 */
const ROOT = path.resolve(import.meta.dirname, "..");
const args = new Set(process.argv.slice(2));
const quick = args.has("--quick");
const only = [...args]
  .find((a) => a.startsWith("--only="))
  ?.slice("--only=".length)
  .split(",");
const say = (line: string) => process.stdout.write(`[bench] ${line}\n`);

if (!args.has("--reuse-build")) {
  process.env.NEXT_DIST_DIR ||= ".next-bench";
  say(`building the production server into ${process.env.NEXT_DIST_DIR}…`);
  buildProductionServer(process.env.NEXT_DIST_DIR);
}

const services = await startBenchServices(say);
try {
  // Throughput comparisons queue rather than shed (the overload scenario sets its own limits).
  const base = {
    ...services.envVars,
    RATE_LIMIT_API_LIMIT: "1000000",
    RATE_LIMIT_SQL_LIMIT: "1000000",
    DB_POOL_MAX_WAITING: "256",
    BENCH_ENDPOINTS: "on",
    LOG_LEVEL: "error",
  };
  const cli = (script: string, cliArgs: string[], extra: Record<string, string> = {}) => {
    const result = spawnSync("npm", ["run", "--silent", script, "--", ...cliArgs], {
      cwd: ROOT,
      encoding: "utf8",
      env: { ...process.env, ...base, ...extra },
    });
    if (result.status !== 0) throw new Error(`npm run ${script} failed:\n${result.stdout}\n${result.stderr}`);
    return result.stdout.trim().split("\n").at(-1)!.trim();
  };
  const email = "bench@sluice.invalid";
  cli("create-admin", ["--email", email], { ADMIN_PASSWORD: randomBytes(18).toString("base64url") });
  const token = cli("token", ["create", "--email", email, "--name", "bench", "--scopes", "tables:read,queries:run,sql:run"]);
  if (!token.startsWith("slc_")) throw new Error(`unexpected token output: ${token}`);

  const dbUrl = new URL(services.ownerUrl);
  const ctx: BenchContext = {
    quick,
    durationS: quick ? 3 : 15,
    envVars: base,
    env: services.env,
    token,
    pids: services.pids,
    redisUrl: services.redisUrl,
    serverPort: { host: dbUrl.hostname, port: Number(dbUrl.port || 5432) },
    startServer: (extra) => startAppServer({ ...base, ...extra }),
    say,
  };

  const all = {
    "pool-micro": poolMicroScenario,
    pooling: poolingScenario,
    overhead: overheadScenario,
    overload: overloadScenario,
    rss: steadyRssScenario,
    csv: csvScenario,
    "rate-limiter": rateLimiterScenario,
  };
  const unknown = only?.filter((name) => !(name in all)) ?? [];
  if (unknown.length) throw new Error(`unknown scenario ${unknown.join(", ")}; known: ${Object.keys(all).join(", ")}`);
  const scenarios: ScenarioResult[] = [];
  for (const [name, scenario] of Object.entries(all)) {
    if (!only || only.includes(name)) scenarios.push(await scenario(ctx));
  }
  if (only) {
    for (const s of scenarios) {
      say(s.title);
      for (const row of s.table.rows) say(`  ${row.join(" | ")}`);
      for (const t of s.targets) say(`  target ${t.name}: ${t.measured} (goal ${t.goal}) ${t.met ? "met" : "MISSED"}`);
    }
  } else {
    await report(scenarios, ctx.durationS);
  }
} finally {
  await services.stop();
}

async function report(scenarios: ScenarioResult[], durationS: number): Promise<void> {
  const owner = postgres(services.ownerUrl, { max: 1 });
  const [{ version }] = (await owner`select version()`) as unknown as [{ version: string }];
  await owner.end();
  const redis = new Redis(services.redisUrl);
  const redisVersion = ((await redis.info("server")).match(/redis_version:(\S+)/) ?? [])[1] ?? "?";
  await redis.quit();
  const file = writeReport(
    path.join(ROOT, "bench", "results"),
    {
      date: new Date().toISOString().slice(0, 10),
      mode: quick ? "quick" : "full",
      durationS,
      machine: `${cpus().length} cores (${cpus()[0]?.model.trim()}), ${Math.round(totalmem() / 2 ** 30)} GiB`,
      postgres: version.split(" on ")[0]!,
      redis: redisVersion,
      node: process.version,
      command: `npm run bench${quick ? " -- --quick" : ""}`,
    },
    scenarios,
  );
  const missed = scenarios.flatMap((s) => s.targets.filter((t) => !t.met));
  say(`report: ${path.relative(ROOT, file)}`);
  say(missed.length ? `targets missed: ${missed.map((t) => t.name).join("; ")}` : "every target met");
}
