import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { randomUUID } from "node:crypto";
import path from "node:path";
import { createInterface } from "node:readline";
import { afterAll, describe, expect, inject, it } from "vitest";
import { createRedisClient, quitClient } from "@/lib/redis/client";
import { createKeys } from "@/lib/redis/keys";

/** The limit is shared by every app process using the same Redis, not per process. */

const url = inject("redisUrl");
const namespace = `multi-${randomUUID().slice(0, 8)}`;
const root = path.resolve(import.meta.dirname, "../../..");
const worker = path.join(import.meta.dirname, "fixtures/limit-worker.ts");

afterAll(async () => {
  const redis = createRedisClient({ url, logger: { info: () => undefined, warn: () => undefined } });
  const leftovers = await redis.keys(`${createKeys(namespace).root}*`);
  if (leftovers.length) await redis.del(...leftovers);
  await quitClient(redis);
});

interface Worker {
  child: ChildProcessWithoutNullStreams;
  next(): Promise<string>;
}

function startWorker(args: string[]): Worker {
  // tsx for TypeScript and the "@/" paths; react-server so `server-only` is the empty module, as under Next.
  const child = spawn(process.execPath, ["--conditions=react-server", "--import", "tsx", worker, ...args], {
    cwd: root,
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  return {
    child,
    async next() {
      const line = await lines.next();
      if (line.done) throw new Error(`worker ended early: ${stderr}`);
      return line.value;
    },
  };
}

describe("limiter across processes", () => {
  it("lets exactly N of 5·N concurrent calls through when split across two processes", async () => {
    const n = 40;
    const identifier = `multi-${randomUUID()}`;
    const perWorker = (5 * n) / 2;
    const workers = [0, 1].map(() => startWorker([url, namespace, String(n), String(perWorker), identifier]));
    try {
      expect(await Promise.all(workers.map((w) => w.next()))).toEqual(["ready", "ready"]);
      for (const w of workers) w.child.stdin.write("go\n");
      const results = (await Promise.all(workers.map((w) => w.next()))).map((line) => JSON.parse(line) as { allowed: number; failed: number });
      expect(results.map((r) => r.failed)).toEqual([0, 0]);
      expect(results.reduce((sum, r) => sum + r.allowed, 0)).toBe(n);
    } finally {
      for (const w of workers) if (w.child.exitCode === null) w.child.kill();
    }
  });
});
