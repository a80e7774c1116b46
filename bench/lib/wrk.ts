import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { RequestSpec } from "@/bench/lib/request-spec";

/**
 * Closed-loop load with Debian's `wrk` (C, one thread, epoll): its own CPU is a
 * small fraction of the server's, where autocannon took a core of its own at
 * high rates. A generated Lua script cycles the request paths (pre-formatted
 * in init(), as wrk's SCRIPTING advises) and, when asked, counts statuses per
 * thread; done() prints one JSON line. The generator's CPU comes from the
 * shell's `times` after wrk exits (children's user and system time).
 */
export interface WrkOptions extends RequestSpec {
  connections: number;
  /** Count every status (costs wrk a header parse per response); otherwise only "≥ 400" is known. */
  countStatuses?: boolean;
}

export interface WrkResult {
  requests: number;
  durationS: number;
  requestsPerS: number;
  /** Responses below 400 per second. */
  goodputPerS: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  errors: { connect: number; read: number; write: number; status: number; timeout: number };
  statuses: Record<string, number>;
  generatorCpuMs: number;
}

const luaString = (s: string) => JSON.stringify(s); // a JSON string is a valid Lua string literal for our ASCII paths and headers

function script(options: WrkOptions): string {
  const headers = Object.entries(options.headers ?? {})
    .map(([k, v]) => `[${luaString(k)}] = ${luaString(v)}`)
    .join(", ");
  return `
local paths = { ${options.paths.map(luaString).join(", ")} }
local method = ${luaString(options.method ?? "GET")}
local headers = { ${headers} }
local body = ${options.body === undefined ? "nil" : luaString(options.body)}
local requests = {}
local next_index = 1
statuses = {}
local threads = {}

function setup(thread) table.insert(threads, thread) end

function init(args)
  for i, p in ipairs(paths) do requests[i] = wrk.format(method, p, headers, body) end
end

function request()
  local r = requests[next_index]
  next_index = next_index % #requests + 1
  return r
end

${
  options.countStatuses
    ? `function response(status, headers, body)
  local key = tostring(status)
  statuses[key] = (statuses[key] or 0) + 1
end`
    : ""
}

function done(summary, latency, requests)
  local counted = {}
  for _, thread in ipairs(threads) do
    local s = thread:get("statuses") or {}
    for k, v in pairs(s) do counted[k] = (counted[k] or 0) + v end
  end
  local parts = {}
  for k, v in pairs(counted) do table.insert(parts, string.format('"%s":%d', k, v)) end
  local e = summary.errors
  io.write(string.format(
    'WRK_RESULT {"requests":%d,"durationUs":%d,"p50":%d,"p90":%d,"p99":%d,"max":%d,"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},"statuses":{%s}}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    e.connect, e.read, e.write, e.status, e.timeout, table.concat(parts, ",")))
end
`;
}

const ms = (us: number) => Math.round(us / 10) / 100;

export async function runWrk(options: WrkOptions): Promise<WrkResult> {
  const dir = mkdtempSync(path.join(tmpdir(), "sluice-wrk-"));
  const file = path.join(dir, "load.lua");
  writeFileSync(file, script(options));
  const args = ["-t1", `-c${options.connections}`, `-d${options.durationS}s`, `--timeout`, `${options.timeoutS ?? 10}s`, "-s", file, options.url];
  try {
    const { stdout, stderr, code } = await new Promise<{ stdout: string; stderr: string; code: number | null }>((resolve, reject) => {
      // `times` prints the shell's and then its children's user/system time: wrk's own CPU.
      const child = spawn("bash", ["-c", 'wrk "$@"; rc=$?; times >&2; exit $rc', "wrk", ...args], { stdio: ["ignore", "pipe", "pipe"] });
      let out = "";
      let err = "";
      child.stdout.on("data", (c: Buffer) => (out += c.toString()));
      child.stderr.on("data", (c: Buffer) => (err += c.toString()));
      child.on("error", reject);
      child.on("exit", (exitCode) => resolve({ stdout: out, stderr: err, code: exitCode }));
    });
    const line = stdout.split("\n").find((l) => l.startsWith("WRK_RESULT "));
    if (code !== 0 || !line) throw new Error(`wrk failed (exit ${code}); is it installed (apt-get install wrk)?\n${stdout}\n${stderr}`);
    const raw = JSON.parse(line.slice("WRK_RESULT ".length)) as {
      requests: number;
      durationUs: number;
      p50: number;
      p90: number;
      p99: number;
      max: number;
      errors: WrkResult["errors"];
      statuses: Record<string, number>;
    };
    const durationS = raw.durationUs / 1e6;
    const good = raw.requests - raw.errors.status;
    return {
      requests: raw.requests,
      durationS,
      requestsPerS: Math.round((raw.requests / durationS) * 100) / 100,
      goodputPerS: Math.round((good / durationS) * 100) / 100,
      p50: ms(raw.p50),
      p90: ms(raw.p90),
      p99: ms(raw.p99),
      max: ms(raw.max),
      errors: raw.errors,
      statuses: raw.statuses,
      generatorCpuMs: childrenCpuMs(stderr),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The second line of bash's `times`: children's user and system time, as `0m1.234s 0m0.567s`. */
function childrenCpuMs(stderr: string): number {
  const lines = stderr
    .trim()
    .split("\n")
    .filter((l) => /^\d+m[\d.]+s \d+m[\d.]+s$/.test(l.trim()));
  const children = lines.at(-1);
  if (!children) return NaN;
  return children
    .trim()
    .split(" ")
    .map((t) => {
      const [, m, s] = t.match(/^(\d+)m([\d.]+)s$/)!;
      return Number(m) * 60_000 + Number(s) * 1000;
    })
    .reduce((a, b) => a + b, 0);
}
