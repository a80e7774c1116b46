import "server-only";
import { createHash } from "node:crypto";
import type Redis from "ioredis";
import type { ChainableCommander } from "ioredis";
import { whenReady } from "@/lib/redis/client";

/**
 * A Lua script of our own, addressed by its SHA-1 the way Redis caches
 * scripts: EVALSHA, and the full text only when Redis answers NOSCRIPT (first
 * use, SCRIPT FLUSH, a restart). Scripts here use classic EVAL semantics (no
 * shebang), which every Redis since 2.6 and Valkey run.
 */
export function sha1(text: string): string {
  return createHash("sha1").update(text).digest("hex");
}

export function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.includes("NOSCRIPT");
}

export class LuaScript {
  readonly sha: string;

  constructor(readonly source: string) {
    this.sha = sha1(source);
  }

  async run(redis: Redis, keys: readonly string[], args: readonly (string | number)[] = []): Promise<unknown> {
    await whenReady(redis);
    try {
      return await redis.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!isNoScript(error)) throw error;
      return redis.eval(this.source, keys.length, ...keys, ...args);
    }
  }

  /** Adds the call to a pipeline; a NOSCRIPT reply there is the caller's to retry with run(). */
  queue(pipeline: ChainableCommander, keys: readonly string[], args: readonly (string | number)[] = []): void {
    pipeline.evalsha(this.sha, keys.length, ...keys, ...args);
  }
}
