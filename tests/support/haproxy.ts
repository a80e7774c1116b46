import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { freePort, waitForPort } from "@/lib/db/embedded";

/**
 * A real HAProxy (Debian: apt-get install haproxy) in front of several app instances, configured
 * the way a deployment would be (docs/deploy.md, "Several instances"): round robin, a health check
 * on GET /api/health/ready, `retries` with `option redispatch` so a refused connect goes to another
 * instance, and `option http-server-close` so no idle server connection can be closed under a
 * request. Each response says which instance served it (`X-Served-By`).
 */
export interface HaproxyBackend {
  name: string;
  port: number;
}

export interface HaproxyConfigOptions {
  port: number;
  backends: readonly HaproxyBackend[];
  /** Unix socket of the runtime API (`show stat`, server states). */
  adminSocket: string;
  /** Health check interval; a deployment uses seconds, a test a fraction of one. */
  checkIntervalMs: number;
  /** Failed checks before an instance is out, passed checks before it is back. */
  fall: number;
  rise: number;
}

export const SERVED_BY_HEADER = "x-served-by";

/** The haproxy.cfg text: pure, so what a deployment copies is exactly what the test runs. */
export function haproxyConfig(options: HaproxyConfigOptions): string {
  const check = `check inter ${options.checkIntervalMs}ms fall ${options.fall} rise ${options.rise}`;
  return [
    "global",
    "  maxconn 4000",
    `  stats socket ${options.adminSocket} mode 600 level admin`,
    "",
    "defaults",
    "  mode http",
    "  timeout connect 2s",
    "  timeout client 60s",
    "  timeout server 60s",
    "  timeout queue 10s",
    // Without it a check times out after `inter`: a busy instance's slow answer would take it out.
    "  timeout check 3s",
    // A refused or timed-out connect is retried, on another instance (redispatch on every retry).
    // Only connect failures: a request an instance may have started is never replayed.
    "  retries 3",
    "  option redispatch 1",
    "  retry-on conn-failure",
    // Keep-alive with the client, one connection per request to the instance: no idle
    // connection an instance closes while draining can meet a request on its way.
    "  option http-server-close",
    "  option forwardfor",
    "",
    "frontend sluice_in",
    `  bind 127.0.0.1:${options.port}`,
    "  default_backend sluice",
    "",
    "backend sluice",
    "  balance roundrobin",
    "  option httpchk GET /api/health/ready",
    "  http-check expect status 200",
    `  http-response set-header X-Served-By %[srv_name]`,
    ...options.backends.map((backend) => `  server ${backend.name} 127.0.0.1:${backend.port} ${check}`),
    "",
  ].join("\n");
}

export interface ServerState {
  name: string;
  /** UP, DOWN, "UP 1/2" (rising), "DOWN 1/2" (falling), MAINT … as HAProxy reports it. */
  status: string;
}

export interface Haproxy {
  url: string;
  port: number;
  /** What HAProxy thinks of each instance right now (`show stat`). */
  servers(): Promise<ServerState[]>;
  /** Polls until `name` has the status (bounded). */
  waitFor(name: string, status: "UP" | "DOWN", timeoutMs?: number): Promise<void>;
  /** HAProxy's own lines: every server state change, with the check's reason. */
  output(): string;
  stop(): Promise<void>;
}

export function haproxyInstalled(): boolean {
  return spawnSync(haproxyBinary(), ["-v"], { stdio: "ignore" }).status === 0;
}

function haproxyBinary(): string {
  // Debian puts it in /usr/sbin, which a non-root PATH may lack.
  return spawnSync("sh", ["-c", "command -v haproxy"], { encoding: "utf8" }).stdout.trim() || "/usr/sbin/haproxy";
}

export async function startHaproxy(options: Omit<HaproxyConfigOptions, "port" | "adminSocket">): Promise<Haproxy> {
  const dir = mkdtempSync(path.join(tmpdir(), "sluice-haproxy-"));
  const port = await freePort();
  const adminSocket = path.join(dir, "admin.sock");
  const configFile = path.join(dir, "haproxy.cfg");
  writeFileSync(configFile, haproxyConfig({ ...options, port, adminSocket }));
  const check = spawnSync(haproxyBinary(), ["-c", "-q", "-f", configFile], { encoding: "utf8" });
  if (check.status !== 0) throw new Error(`haproxy refuses its configuration:\n${check.stderr}${check.stdout}`);

  let output = "";
  const child: ChildProcess = spawn(haproxyBinary(), ["-db", "-f", configFile], { stdio: ["ignore", "pipe", "pipe"] });
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const failed = exited.then(() => Promise.reject(new Error(`haproxy exited:\n${output}`)));
  failed.catch(() => {});
  if (!(await waitForPort(port, { timeoutMs: 10_000, failed }))) throw new Error(`haproxy did not listen on ${port}:\n${output}`);

  const servers = async (): Promise<ServerState[]> => {
    const csv = await runtimeCommand(adminSocket, "show stat");
    const [header = "", ...rows] = csv.trim().split("\n");
    const columns = header.replace(/^# /, "").split(",");
    const at = (name: string) => columns.indexOf(name);
    return rows
      .map((row) => row.split(","))
      .filter((cells) => cells[at("pxname")] === "sluice" && !["FRONTEND", "BACKEND"].includes(cells[at("svname")]!))
      .map((cells) => ({ name: cells[at("svname")]!, status: cells[at("status")]! }));
  };

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    servers,
    output: () => output,
    waitFor: async (name, status, timeoutMs = 30_000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const state = (await servers()).find((server) => server.name === name);
        if (state?.status === status) return;
        if (Date.now() > deadline) throw new Error(`haproxy: ${name} is ${state?.status ?? "unknown"}, not ${status}, after ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    stop: async () => {
      if (child.exitCode === null) child.kill("SIGTERM");
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** One command on HAProxy's runtime API (its Unix socket): the whole answer. */
function runtimeCommand(socketPath: string, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let answer = "";
    const socket = net.connect(socketPath, () => socket.write(`${command}\n`));
    socket.setTimeout(5000, () => socket.destroy(new Error(`haproxy runtime API: no answer to ${command}`)));
    socket.on("data", (chunk: Buffer) => (answer += chunk.toString()));
    socket.once("end", () => resolve(answer));
    socket.once("error", reject);
  });
}
