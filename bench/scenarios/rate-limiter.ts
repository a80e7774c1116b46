import Redis from "ioredis";
import { createRedisRateLimiter } from "@/lib/ratelimit/limiter";
import { resolvePolicies } from "@/lib/ratelimit/policies";
import { createKeys } from "@/lib/redis/keys";
import { percentile } from "@/bench/lib/percentile";
import type { BenchContext, ScenarioResult } from "@/bench/lib/context";

/**
 * The limiter itself against real Redis: the latency one decision adds to a
 * request, and whether exactly `limit` of many concurrent calls pass.
 */
export async function rateLimiterScenario(ctx: BenchContext): Promise<ScenarioResult> {
  const clients = [new Redis(ctx.redisUrl), new Redis(ctx.redisUrl)];
  const namespace = `bench${Date.now().toString(36)}`;
  const limit = 100;
  const policies = resolvePolicies({ RATE_LIMIT_API_LIMIT: String(limit), RATE_LIMIT_API_WINDOW_S: "600" });
  const limiters = clients.map((redis) => createRedisRateLimiter({ redis, policies, keys: createKeys(namespace), timeoutMs: 1000 }));
  try {
    const pingTimes: number[] = [];
    for (let i = 0; i < 500; i++) {
      const t = performance.now();
      await clients[0]!.ping();
      pingTimes.push(performance.now() - t);
    }
    const times: number[] = [];
    const samples = ctx.quick ? 1000 : 5000;
    for (let i = 0; i < samples; i++) {
      const t = performance.now();
      await limiters[0]!.limit("user", `latency-${i % 50}`);
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    pingTimes.sort((a, b) => a - b);

    const calls = 5 * limit;
    const decisions = await Promise.all(Array.from({ length: calls }, (_, i) => limiters[i % 2]!.limit("api", "exactness")));
    const allowed = decisions.filter((d) => d.allowed).length;
    await Promise.all(limiters.map((l) => l.flush()));
    const p50 = Math.round(percentile(times, 0.5) * 1000) / 1000;
    const p99 = Math.round(percentile(times, 0.99) * 1000) / 1000;
    const pingP50 = Math.round(percentile(pingTimes, 0.5) * 1000) / 1000;
    ctx.say(
      `rate limiter: p50 ${p50} ms, p99 ${p99} ms (Redis PING p50 ${pingP50} ms); ${allowed} of ${calls} concurrent calls allowed with limit ${limit}`,
    );
    return {
      title: "Rate limiter (sliding window, @upstash/ratelimit over ioredis)",
      data: { samples, p50, p99, pingP50, limit, calls, allowed },
      targets: [
        {
          name: `allowed of ${calls} concurrent calls (two clients), limit ${limit}`,
          goal: `exactly ${limit}`,
          measured: String(allowed),
          met: allowed === limit,
        },
      ],
      table: {
        header: ["measure", "value"],
        rows: [
          ["latency added per request, p50", `${p50} ms`],
          ["latency added per request, p99", `${p99} ms`],
          ["Redis PING round trip, p50 (floor)", `${pingP50} ms`],
          [`allowed of ${calls} concurrent calls, limit ${limit}`, allowed],
        ],
      },
    };
  } finally {
    const cleanup = new Redis(ctx.redisUrl);
    const stale = await cleanup.keys(`sluice:${namespace}:*`);
    if (stale.length) await cleanup.del(...stale);
    await cleanup.quit();
    await Promise.all(clients.map((c) => c.quit()));
  }
}
