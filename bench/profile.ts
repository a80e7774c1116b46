import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { startAppServer } from "@/tests/support/app-server";
import { runWrk } from "@/bench/lib/wrk";
import { processCpuUs } from "@/bench/lib/process-cpu";
import { orderPaths } from "@/bench/lib/context";
import { buildProductionServer } from "@/bench/lib/build";
import { startBenchServices } from "@/bench/lib/services";

/**
 * `npm run bench:profile`: builds the production server without minification
 * (into .next-profile, so function names survive), warms it up, then takes a
 * V8 CPU profile (started and stopped in the server through the bench-only
 * /api/bench/profile) while the full-path table read runs at concurrency 32
 * with wrk — so start-up and first-request compilation are not in it —,
 * summarised as
 * self time per package or source area and inclusive time of the busiest
 * functions, written next to the benchmark reports. `--reuse-build` skips
 * the build. `--refusals` profiles the admission refusal instead: the same
 * load at concurrency 128 against a limit of 2 in flight (fixed), so nearly
 * every request is a 503 (PROFILE-refusals.md).
 */
const ROOT = path.resolve(import.meta.dirname, "..");
const say = (line: string) => process.stdout.write(`[profile] ${line}\n`);
const refusals = process.argv.includes("--refusals");
process.env.NEXT_DIST_DIR ||= ".next-profile";
if (!process.argv.includes("--reuse-build")) {
  say(`building an unminified production server into ${process.env.NEXT_DIST_DIR}…`);
  buildProductionServer(process.env.NEXT_DIST_DIR, { SLUICE_PROFILE_BUILD: "1" });
}
const services = await startBenchServices(say);
try {
  const base = { ...services.envVars, RATE_LIMIT_API_LIMIT: "1000000", DB_POOL_MAX_WAITING: "256", LOG_LEVEL: "error", BENCH_ENDPOINTS: "on" };
  const cli = (script: string, args: string[], extra: Record<string, string> = {}) =>
    spawnSync("npm", ["run", "--silent", script, "--", ...args], { cwd: ROOT, encoding: "utf8", env: { ...process.env, ...base, ...extra } })
      .stdout.trim()
      .split("\n")
      .at(-1)!;
  cli("create-admin", ["--email", "profile@sluice.invalid"], { ADMIN_PASSWORD: randomBytes(12).toString("hex") });
  const token = cli("token", ["create", "--email", "profile@sluice.invalid", "--name", "profile", "--scopes", "tables:read"]);
  const app = await startAppServer({ ...base, ...(refusals ? { API_MAX_IN_FLIGHT: "2", API_ADMISSION: "fixed" } : {}) });
  const loadOptions = {
    url: app.url,
    connections: refusals ? 128 : 32,
    headers: { authorization: `Bearer ${token}` },
    paths: orderPaths("/api/v1/tables/data.orders?select=id,status,total&id=eq."),
  };
  say("warming up for 10 s…");
  await runWrk({ ...loadOptions, durationS: 10 });
  const profiler = (action: "start" | "stop") => fetch(`${app.url}/api/bench/profile?action=${action}`, { method: "POST" });
  const started = await profiler("start");
  if (!started.ok) throw new Error(`could not start the profiler: ${started.status} ${await started.text()}`);
  const cpuBefore = processCpuUs(app.process.pid!);
  const load = await runWrk({ ...loadOptions, durationS: 10 });
  const cpuUsPerRequest = Math.round((processCpuUs(app.process.pid!) - cpuBefore) / load.requests);
  const stopped = await profiler("stop");
  const profile = (await stopped.json()) as {
    nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }>;
    samples: number[];
    timeDeltas: number[];
  };
  await app.stop();
  say(`${load.requestsPerS} req/s while profiling, ${cpuUsPerRequest} µs server CPU per request`);
  const byNode = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const area = (url: string, fn: string): string => {
    if (!url) return fn.startsWith("(") ? fn : "(native)";
    const pkg = url.match(/node_modules\/((@[^/]+\/)?[^/]+)/);
    if (pkg) return pkg[1]!;
    if (url.startsWith("node:")) return `node:${url.slice(5).split("/")[0]}`;
    if (url.includes("/server/chunks/")) return "app code (bundled)";
    return path.basename(url);
  };
  const self = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const frame = byNode.get(id)!;
    const key = area(frame.url, frame.functionName);
    const dt = profile.timeDeltas[i] ?? 0;
    self.set(key, (self.get(key) ?? 0) + dt);
    total += dt;
  });
  const rows = [...self].sort((a, b) => b[1] - a[1]).slice(0, 15);
  // Self time per function, with where it is: the leaves the CPU actually spends its time in.
  const selfByFunction = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const frame = byNode.get(id)!;
    if (frame.functionName === "(idle)") return;
    const where = frame.url ? `${area(frame.url, frame.functionName)}:${frame.lineNumber + 1}` : area(frame.url, frame.functionName);
    const key = `${frame.functionName || "(anonymous)"} (${where})`;
    selfByFunction.set(key, (selfByFunction.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const leaves = [...selfByFunction].sort((a, b) => b[1] - a[1]).slice(0, 30);

  // Inclusive time: each sample counts once for every distinct named function on its stack.
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const inclusive = new Map<string, number>();
  let busy = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    if (byNode.get(id)!.functionName === "(idle)") return;
    busy += dt;
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byNode.get(at)!;
      if (!frame.functionName || frame.functionName.startsWith("(")) continue;
      const key = `${frame.functionName} (${area(frame.url, frame.functionName)})`;
      if (seen.has(key)) continue;
      seen.add(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + dt);
    }
  });
  const interesting = [...inclusive]
    .filter(([key]) => !/\((node:|\(native\))/.test(key))
    .sort((a, b) => b[1] - a[1])
    .slice(0, 40);
  const lines = [
    `# CPU profile of ${refusals ? "admission refusals" : "the full path"} (${new Date().toISOString().slice(0, 10)})`,
    "",
    `\`npm run bench:profile\`: the production server, after 10 s of warm-up, under the full-path table read at concurrency ${loadOptions.connections}${refusals ? " against an in-flight limit of 2 (nearly every answer a 503)" : ""} for 10 s with wrk (${load.requestsPerS} req/s while profiling, ${cpuUsPerRequest} µs of server CPU per request; the profiler's own sampling adds to both). Self time by package or area:`,
    "",
    "| where | self time | share |",
    "| --- | --- | --- |",
    ...rows.map(([key, us]) => `| ${key} | ${(us / 1000).toFixed(0)} ms | ${((us / total) * 100).toFixed(1)}% |`),
    "",
    "Self time of the busiest functions (where the CPU is, leaf by leaf):",
    "",
    "| function (area:line) | self time | share of busy |",
    "| --- | --- | --- |",
    ...leaves.map(([key, us]) => `| ${key.replaceAll("|", "\\|")} | ${(us / 1000).toFixed(0)} ms | ${((us / busy) * 100).toFixed(1)}% |`),
    "",
    "Inclusive time of the busiest named functions outside Node's internals (share of the non-idle time; nested functions overlap):",
    "",
    "| function (area) | inclusive time | share of busy |",
    "| --- | --- | --- |",
    ...interesting.map(([key, us]) => `| ${key.replaceAll("|", "\\|")} | ${(us / 1000).toFixed(0)} ms | ${((us / busy) * 100).toFixed(1)}% |`),
    "",
  ];
  const out = path.join(ROOT, "bench", "results", refusals ? "PROFILE-refusals.md" : "PROFILE.md");
  writeFileSync(out, lines.join("\n"));
  say(`wrote ${path.relative(ROOT, out)}`);
  for (const line of lines.slice(4)) say(line);
} finally {
  await services.stop();
}
