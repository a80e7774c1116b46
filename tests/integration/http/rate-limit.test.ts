import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startAppServer, type AppServer } from "@/tests/support/app-server";
import { createTestDatabase, type TestDatabase } from "@/tests/support/database";
import { startRedisServer, type RedisServerHandle } from "@/tests/support/redis-server";

/**
 * The proxy's rate limits, end to end: real server processes, real Redis.
 * Every test uses its own path-independent identity (a fresh Redis DB per
 * server pair) so counts never leak between tests.
 */
const LIMIT = 8;
/**
 * A day: with the window edge rounded up (lib/ratelimit/ioredis-adapter.ts), a
 * burst is admitted exactly LIMIT times even when it crosses an edge, as long
 * as it takes less than window / LIMIT (3 hours) — so no test here has to
 * wait for, or hope for, a fresh window.
 */
const WINDOW_S = 86_400;
/** The reset test needs a window it can wait out: it runs on the sign-in policy, with this one. */
const SHORT_WINDOW_S = 4;
let db: TestDatabase;
let redis: RedisServerHandle;
let appA: AppServer;
let appB: AppServer;

beforeAll(async () => {
  db = await createTestDatabase("ratelimit");
  redis = await startRedisServer();
  const vars = db.envVars({
    REDIS_URL: redis.url,
    RATE_LIMIT_ANONYMOUS_LIMIT: String(LIMIT),
    RATE_LIMIT_ANONYMOUS_WINDOW_S: String(WINDOW_S),
    RATE_LIMIT_SIGN_IN_IP_LIMIT: String(LIMIT),
    RATE_LIMIT_SIGN_IN_IP_WINDOW_S: String(SHORT_WINDOW_S),
    // Exactness is the point here: on a loaded machine a slow Redis answer must not turn into fail-open.
    RATE_LIMIT_TIMEOUT_MS: "5000",
  });
  [appA, appB] = await Promise.all([startAppServer(vars), startAppServer(vars)]);
});
afterAll(async () => {
  await Promise.all([appA?.stop(), appB?.stop()]);
  await redis?.stop();
  await db?.drop();
});

/** Every test starts with no rate-limit state: the window's position does not matter (see WINDOW_S). */
const freshWindow = () => flush();

const flush = async () => {
  const { default: Redis } = await import("ioredis");
  const client = new Redis(redis.url);
  await client.flushall();
  await client.quit();
};

async function get(app: AppServer, path: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${app.url}${path}`, { headers, redirect: "manual" });
  await response.arrayBuffer();
  return response;
}

describe("rate limits in the proxy", () => {
  it(`lets exactly ${LIMIT} of ${5 * LIMIT} concurrent requests through, across two app processes`, async () => {
    await freshWindow();
    const responses = await Promise.all(Array.from({ length: 5 * LIMIT }, (_, i) => get(i % 2 ? appA : appB, `/no-such-page-${i}`)));
    const limited = responses.filter((r) => r.status === 429);
    expect(responses.length - limited.length).toBe(LIMIT);
    expect(limited).toHaveLength(4 * LIMIT);
  });

  it("answers 429 in the error shape with the standard headers, and the window resets", async () => {
    await flush();
    const signIn = async () => {
      const response = await fetch(`${appA.url}/api/auth/callback/credentials`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ email: "nobody@example.test", password: "x" }),
        redirect: "manual",
      });
      return { response, text: await response.text() };
    };
    const { response: first } = await signIn();
    expect(first.status).not.toBe(429);
    expect(first.headers.get("ratelimit-limit")).toBe(String(LIMIT));
    expect(first.headers.get("ratelimit-remaining")).toBe(String(LIMIT - 1));
    expect(first.headers.get("x-ratelimit-limit")).toBe(String(LIMIT));
    expect(Number(first.headers.get("ratelimit-reset"))).toBeGreaterThanOrEqual(0);
    expect(Number(first.headers.get("ratelimit-reset"))).toBeLessThanOrEqual(SHORT_WINDOW_S);

    // Until refused: how many more fit depends on where this short window's edge falls
    // (exactness is the test above, on a window no test run can straddle by luck).
    let refused: { response: Response; text: string } | undefined;
    for (let i = 0; i < 4 * LIMIT && !refused; i++) {
      const attempt = await signIn();
      if (attempt.response.status === 429) refused = attempt;
    }
    expect(refused).toBeDefined();
    const { response, text } = refused!;
    expect(JSON.parse(text)).toMatchObject({ error: { code: "rate_limited" } });
    expect(Number(response.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(response.headers.get("ratelimit-remaining")).toBe("0");
    expect(response.headers.get("x-ratelimit-remaining")).toBe("0");
    expect(Number(response.headers.get("x-ratelimit-reset"))).toBeGreaterThan(Date.now() / 1000 - 1);

    // Sliding window: nothing was admitted after the refusal, so two windows on the budget is back.
    await new Promise((r) => setTimeout(r, 2 * SHORT_WINDOW_S * 1000 + 200));
    expect((await signIn()).response.status).not.toBe(429);
  });

  it("ignores a spoofed X-Forwarded-For without TRUST_PROXY", async () => {
    await freshWindow();
    const statuses: number[] = [];
    for (let i = 0; i < LIMIT + 3; i++) {
      const forged = {
        "x-forwarded-for": `203.0.113.${i}`,
        "x-real-ip": `198.51.100.${i}`,
        "cf-connecting-ip": `192.0.2.${i}`,
        "x-sluice-peer-address": `10.9.8.${i}`,
      };
      statuses.push((await get(appA, "/nope", forged)).status);
    }
    expect(statuses.filter((s) => s === 429)).toHaveLength(3);
  });

  it.each([
    ["x-middleware-subrequest header", "/nope", { "x-middleware-subrequest": "proxy:proxy:proxy:proxy:proxy" }],
    ["an .rsc URL", "/nope.rsc", {}],
    ["a ?_rsc= URL", "/nope?_rsc=abc", { rsc: "1" }],
    ["an RSC: 1 header", "/nope", { rsc: "1", "next-router-prefetch": "1" }],
    ["a segment prefetch URL", "/nope.segments/_tree.segment.rsc", { rsc: "1", "next-router-segment-prefetch": "/_tree" }],
  ])("still limits requests that try to skip the proxy with %s", async (_label, path, headers) => {
    await freshWindow();
    const statuses: number[] = [];
    for (let i = 0; i < LIMIT + 2; i++) statuses.push((await get(appA, path, headers as Record<string, string>)).status);
    expect(
      statuses.filter((s) => s === 429),
      statuses.join(","),
    ).toHaveLength(2);
  });

  it("still gates signed-in pages for bypass attempts", async () => {
    await flush();
    for (const [path, headers] of [
      ["/admin", { "x-middleware-subrequest": "proxy:proxy:proxy:proxy:proxy" }],
      ["/admin.rsc", { rsc: "1" }],
      ["/settings/tokens?_rsc=1", { rsc: "1" }],
    ] as const) {
      const response = await get(appB, path, headers);
      expect([302, 303, 307, 308]).toContain(response.status);
      expect(response.headers.get("location")).toMatch(/\/sign-in/);
    }
  });
});

describe("when Redis is down", () => {
  it("read traffic fails open and nothing answers 500", async () => {
    const deadRedis = await startRedisServer();
    const app = await startAppServer(db.envVars({ REDIS_URL: deadRedis.url, RATE_LIMIT_ANONYMOUS_LIMIT: "2" }));
    try {
      await deadRedis.stop();
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) statuses.push((await get(app, "/nope")).status);
      expect(statuses.every((s) => s === 404)).toBe(true);
      const health = await fetch(`${app.url}/api/health`);
      expect(health.status).toBe(200);
    } finally {
      await app.stop();
    }
  });

  it("sign-in fails closed with 503 in the error shape", async () => {
    const deadRedis = await startRedisServer();
    const app = await startAppServer(db.envVars({ REDIS_URL: deadRedis.url }));
    try {
      await deadRedis.stop();
      const response = await fetch(`${app.url}/api/auth/callback/credentials`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ email: `x${randomBytes(3).toString("hex")}@example.com`, password: "whatever" }),
        redirect: "manual",
      });
      expect(response.status).toBe(503);
      expect(await response.json()).toMatchObject({ error: { code: "unavailable" } });
      expect(response.headers.get("retry-after")).toBeTruthy();
    } finally {
      await app.stop();
    }
  });
});

void inject;
