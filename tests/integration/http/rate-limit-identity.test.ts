import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { closePools } from "@/lib/db/clients";
import { closeRedis } from "@/lib/redis/client";
import { startAppServer, type AppServer } from "@/tests/support/app-server";
import { createUser, useAppEnvironment } from "@/tests/support/auth";
import { createTestDatabase, type TestDatabase } from "@/tests/support/database";
import { startRedisServer, type RedisServerHandle } from "@/tests/support/redis-server";

/**
 * Whom a request is counted against, end to end: the sign-in policies follow
 * next-auth's own routing (not a regex of one URL). A Redis of its own, flushed
 * before each test, so no other file's requests from 127.0.0.1 count here.
 */
const SIGN_IN_IP = 20;
let db: TestDatabase;
let redis: RedisServerHandle;
let app: AppServer;

beforeAll(async () => {
  db = await createTestDatabase("ratelimit_identity");
  redis = await startRedisServer();
  const vars = db.envVars({
    REDIS_URL: redis.url,
    RATE_LIMIT_SIGN_IN_IP_LIMIT: String(SIGN_IN_IP),
    RATE_LIMIT_SIGN_IN_ACCOUNT_LIMIT: "5",
    RATE_LIMIT_TIMEOUT_MS: "5000",
  });
  useAppEnvironment(vars);
  app = await startAppServer(vars);
});
afterAll(async () => {
  await app?.stop();
  await closePools();
  await closeRedis();
  await redis?.stop();
  await db?.drop();
});
/** Rate-limit windows only: the tokens and sessions the tests create stay. */
async function flushLimits() {
  const { default: Redis } = await import("ioredis");
  const client = new Redis(redis.url);
  const stale = await client.keys("sluice:rl*");
  if (stale.length) await client.del(...stale);
  await client.quit();
}
beforeEach(flushLimits);

interface Outcome {
  status: number;
  policy?: string;
  limit: string | null;
}

async function call(path: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Outcome> {
  const response = await fetch(`${app.url}${path}`, { ...init, redirect: "manual" });
  const text = await response.text();
  let policy: string | undefined;
  if (response.status === 429) policy = (JSON.parse(text) as { error: { details?: { policy?: string } } }).error.details?.policy;
  return { status: response.status, policy, limit: response.headers.get("ratelimit-limit") };
}

async function sequence(count: number, next: (i: number) => Promise<Outcome>): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  for (let i = 0; i < count; i++) outcomes.push(await next(i));
  return outcomes;
}

const refusedBy = (outcomes: Outcome[]) => outcomes.filter((o) => o.status === 429).map((o) => o.policy);
const postForm = (path: string) =>
  call(path, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ email: "nobody@example.test", password: "x" }).toString(),
  });

describe("sign-in limits follow next-auth's routing", () => {
  it("counts POST /api/auth/callback/credentials/<extra segments> against sign-in-ip, like the canonical path", async () => {
    const paths = ["/api/auth/callback/credentials/anything", "/api/auth/callback/credentials/x/y", "/api/auth/callback/credentials"];
    const outcomes = await sequence(SIGN_IN_IP + 3, (i) => postForm(paths[i % paths.length]!));
    expect(outcomes.slice(0, SIGN_IN_IP).every((o) => o.status !== 429)).toBe(true);
    expect(refusedBy(outcomes)).toEqual(["sign-in-ip", "sign-in-ip", "sign-in-ip"]);
    // Control: what is not a sign-in attempt stays on the anonymous budget.
    expect((await call("/api/auth/csrf")).status).toBe(200);
    expect((await call("/api/auth/session")).status).toBe(200);
  });

  it("limits one account on an extra-segment path too (sign-in-account, checked where the e-mail is known)", async () => {
    const user = await createUser(db);
    const errors: Array<string | null> = [];
    for (let i = 0; i < 6; i++) {
      const jar = await fetch(`${app.url}/api/auth/csrf`);
      const cookie = jar.headers
        .getSetCookie()
        .map((line) => line.split(";")[0])
        .join("; ");
      const { csrfToken } = (await jar.json()) as { csrfToken: string };
      const response = await fetch(`${app.url}/api/auth/callback/credentials/extra`, {
        method: "POST",
        redirect: "manual",
        headers: { "content-type": "application/x-www-form-urlencoded", cookie },
        body: new URLSearchParams({ email: user.email, password: "wrong", csrfToken, json: "true" }),
      });
      const body = (await response.json()) as { url: string };
      errors.push(new URL(body.url).searchParams.get("error"));
    }
    expect(errors.slice(0, 5)).toEqual(Array(5).fill("CredentialsSignin"));
    expect(errors[5]).toMatch(/^RateLimited/);
  });
});
