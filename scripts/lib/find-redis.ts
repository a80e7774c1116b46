import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { mkdirSync } from "node:fs";
import { isPortOpen, waitForPort } from "@/lib/db/embedded";
import { ROOT } from "@/scripts/lib/bootstrap";

export interface FoundRedis {
  url: string | null;
  stop(): Promise<void>;
}

const DEV_REDIS_PORT = 6390;

/**
 * REDIS_URL when set; otherwise a redis-server from PATH (development only,
 * nothing persisted); otherwise none, and the app uses its in-memory fallback.
 */
export async function findRedis(configured: string | undefined, say: (line: string) => void): Promise<FoundRedis> {
  if (configured) return { url: configured, stop: async () => {} };
  if (await isPortOpen(DEV_REDIS_PORT)) {
    say(`using the redis-server already on port ${DEV_REDIS_PORT}`);
    return { url: `redis://127.0.0.1:${DEV_REDIS_PORT}`, stop: async () => {} };
  }
  const dir = path.join(ROOT, ".data", "redis");
  mkdirSync(dir, { recursive: true });
  const child: ChildProcess = spawn(
    "redis-server",
    ["--port", String(DEV_REDIS_PORT), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir],
    { stdio: "ignore" },
  );
  const spawned = await new Promise<boolean>((resolve) => {
    child.once("error", () => resolve(false));
    child.once("spawn", () => resolve(true));
  });
  if (spawned) {
    if (await waitForPort(DEV_REDIS_PORT)) {
      say(`started redis-server on port ${DEV_REDIS_PORT}`);
      return {
        url: `redis://127.0.0.1:${DEV_REDIS_PORT}`,
        stop: async () => {
          child.kill("SIGTERM");
        },
      };
    }
  }
  say("WARNING: no REDIS_URL and no redis-server on PATH; sessions, tokens and rate limits live in memory (development only)");
  return { url: null, stop: async () => {} };
}
