import { spawn, type ChildProcess } from "node:child_process";
import { freePort, waitForPort } from "@/lib/db/embedded";

/** A throwaway redis-server from PATH: no persistence, stopped with the test run. */
export interface RedisServerHandle {
  url: string;
  port: number;
  process: ChildProcess;
  stop(): Promise<void>;
}

export async function startRedisServer(port?: number): Promise<RedisServerHandle> {
  const chosen = port ?? (await freePort());
  const child = spawn(
    "redis-server",
    ["--port", String(chosen), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "no"],
    { stdio: "ignore" },
  );
  const failed = new Promise<never>((_, reject) => {
    child.once("error", (error) => reject(new Error(`cannot start redis-server from PATH: ${error.message}`)));
    child.once("exit", (code) => reject(new Error(`redis-server exited with code ${code}`)));
  });
  if (!(await waitForPort(chosen, { timeoutMs: 10_000, failed }))) throw new Error("redis-server did not start within 10 s");
  return {
    url: `redis://127.0.0.1:${chosen}`,
    port: chosen,
    process: child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
