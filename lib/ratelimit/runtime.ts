import "server-only";
import { singleton } from "@/lib/core/singleton";
import { env } from "@/lib/env";
import { log } from "@/lib/core/log";
import { appRedis } from "@/lib/redis/runtime";
import { createRateLimiter, type RateLimiter } from "@/lib/ratelimit/limiter";
import { resolvePolicies } from "@/lib/ratelimit/policies";

/** The limiter of this process, built once from the environment and kept across hot reloads. */
export function appRateLimiter(): RateLimiter {
  return singleton("sluiceRateLimiter", () => {
    const config = env();
    return createRateLimiter({
      redis: appRedis() ?? undefined,
      production: config.NODE_ENV === "production",
      policies: resolvePolicies(config),
      timeoutMs: config.RATE_LIMIT_TIMEOUT_MS,
      logger: log.child({ component: "ratelimit" }),
    });
  });
}
