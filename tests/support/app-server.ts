import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { freePort } from "@/lib/db/embedded";

/**
 * The production build (`npm run build`), started as a real server process
 * with exactly the environment a test gives it: nothing from .env files.
 */
export interface AppServer {
  url: string;
  port: number;
  process: ChildProcess;
  output: () => string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

const ROOT = path.resolve(import.meta.dirname, "../..");
/** The build's server; NEXT_DIST_DIR must match the build's (see next.config.ts). Read per call: callers may set it late. */
const serverPath = () => path.join(ROOT, process.env.NEXT_DIST_DIR || ".next", "standalone", "server.js");

/** `port`: listen there instead of on a free one (a restarted instance behind a load balancer keeps its address). */
export async function startAppServer(envVars: Record<string, string>, options: { nodeArgs?: string[]; port?: number } = {}): Promise<AppServer> {
  const SERVER = serverPath();
  if (!existsSync(SERVER)) throw new Error("no production build: run `npm run build` first (npm test does it for you)");
  const port = options.port ?? (await freePort());
  let output = "";
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), "--import", "./peer-address-preload.mjs", SERVER], {
    cwd: path.dirname(SERVER),
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "/tmp",
      NODE_ENV: "production",
      PORT: String(port),
      HOSTNAME: "127.0.0.1",
      NEXT_TELEMETRY_DISABLED: "1",
      AUTH_SECRET: "test-auth-secret-" + Math.random().toString(36).repeat(3),
      ...envVars,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));

  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`app server exited with ${child.exitCode}:\n${output}`);
    try {
      const response = await fetch(`${url}/api/health`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`app server did not answer /api/health within 30 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  return {
    url,
    port,
    process: child,
    output: () => output,
    stop: async (signal = "SIGTERM") => {
      if (child.exitCode === null) child.kill(signal);
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}
