import type {} from "vitest";
import type { TestProject } from "vitest/node";
import { startRedisServer } from "./redis-server";

/**
 * Brings up what the integration tests need, once per run:
 * - Redis: REDIS_URL when given, else a redis-server from PATH on a free port.
 * Test files reach the values through `inject(...)`.
 */
declare module "vitest" {
  export interface ProvidedContext {
    redisUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const stops: Array<() => Promise<void>> = [];

  let redisUrl = process.env.REDIS_URL;
  if (!redisUrl) {
    const redis = await startRedisServer();
    stops.push(redis.stop);
    redisUrl = redis.url;
  }
  project.provide("redisUrl", redisUrl);

  return async () => {
    for (const stop of stops.reverse()) await stop();
  };
}
