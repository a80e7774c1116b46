import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { generateTokenText } from "@/lib/auth/token-format";
import { closePools } from "@/lib/db/clients";
import { closeRedis } from "@/lib/redis/client";
import { startAppServer, type AppServer } from "@/tests/support/app-server";
import { createToken, createUser, signIn, useAppEnvironment, type TestUser } from "@/tests/support/auth";
import { createTestDatabase, type TestDatabase } from "@/tests/support/database";
import { startRedisServer, type RedisServerHandle } from "@/tests/support/redis-server";

/**
 * Whom a request is counted against, end to end: the sign-in policies follow
 * next-auth's own routing (not a regex of one URL), and an Authorization header
 * counts as an identity only once it resolves. A Redis of its own, flushed
 * before each test, so no other file's requests from 127.0.0.1 count here.
 */
const ANONYMOUS = 20;
const AUTH_FAILURES = 10;
const SIGN_IN_IP = 20;
const METRICS_TOKEN = `metrics-${randomBytes(24).toString("hex")}`;
let db: TestDatabase;
let redis: RedisServerHandle;
let app: AppServer;
let viewer: TestUser;

beforeAll(async () => {
  db = await createTestDatabase("ratelimit_identity");
  redis = await startRedisServer();
  const vars = db.envVars({
    REDIS_URL: redis.url,
    METRICS_TOKEN,
    RATE_LIMIT_ANONYMOUS_LIMIT: String(ANONYMOUS),
    RATE_LIMIT_AUTH_FAILURE_IP_LIMIT: String(AUTH_FAILURES),
    RATE_LIMIT_SIGN_IN_IP_LIMIT: String(SIGN_IN_IP),
    RATE_LIMIT_SIGN_IN_ACCOUNT_LIMIT: "5",
    // Long windows: a test's burst is never split across two windows.
    RATE_LIMIT_ANONYMOUS_WINDOW_S: "86400",
    RATE_LIMIT_AUTH_FAILURE_IP_WINDOW_S: "86400",
    RATE_LIMIT_TIMEOUT_MS: "5000",
  });
  useAppEnvironment(vars);
  app = await startAppServer(vars);
  viewer = await createUser(db, { role: "viewer" });
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
const junkBearer = () => ({ authorization: `Bearer ${generateTokenText()}` });
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

describe("an Authorization header is a claim, not an identity, until it resolves", () => {
  it("rotating random bearer tokens share the client IP's anonymous budget", async () => {
    const anonymous = await sequence(ANONYMOUS - 5, () => call("/api/v1/openapi.json"));
    expect(anonymous.every((o) => o.status === 200)).toBe(true);
    const junk = await sequence(AUTH_FAILURES, () => call("/api/v1/me", { headers: junkBearer() }));
    expect(junk.map((o) => o.status)).toEqual([...Array(5).fill(401), ...Array(5).fill(429)]);
    expect(refusedBy(junk)).toEqual(Array(5).fill("anonymous"));
  });

  it("failed authentications per IP have their own strict policy", async () => {
    const headers = (i: number) => (i % 3 === 2 ? { authorization: "Basic dXNlcjpwdw==" } : junkBearer());
    const outcomes = await sequence(AUTH_FAILURES + 4, (i) => call("/api/v1/me", { headers: headers(i) }));
    expect(outcomes.slice(0, AUTH_FAILURES).every((o) => o.status === 401)).toBe(true);
    expect(refusedBy(outcomes)).toEqual(Array(4).fill("auth-failure-ip"));
  });

  it("pages count per IP, or per signed-in user, whatever Authorization says", async () => {
    const cookie = await signIn(app.url, viewer.email, viewer.password); // before the IP's budget is spent
    await flushLimits();
    const pages = await sequence(ANONYMOUS + 3, () => call("/no-such-page", { headers: junkBearer() }));
    expect(pages.filter((o) => o.status === 404)).toHaveLength(ANONYMOUS);
    expect(refusedBy(pages)).toEqual(Array(3).fill("anonymous"));

    const signedIn = await call("/no-such-page", { headers: { cookie, ...junkBearer() } });
    expect(signedIn.status).toBe(404);
    expect(signedIn.limit).toBe("600"); // the user policy's budget, not a fresh api bucket
  });

  it("control: a token that resolves, and the metrics secret, are served on their own budget after the IP's is spent", async () => {
    await sequence(ANONYMOUS, () => call("/api/v1/openapi.json"));
    expect((await call("/api/v1/openapi.json")).status).toBe(429);
    const { token } = await createToken(viewer);
    const real = await call("/api/v1/me", { headers: { authorization: `Bearer ${token}` } });
    expect(real).toMatchObject({ status: 200, limit: "300" });
    const metrics = await sequence(AUTH_FAILURES + 2, () => call("/api/metrics", { headers: { authorization: `Bearer ${METRICS_TOKEN}` } }));
    expect(metrics.every((o) => o.status === 200)).toBe(true);
  });
});
