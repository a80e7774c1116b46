import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAppServer, type AppServer } from "@/tests/support/app-server";
import { createToken, createUser, signIn, useAppEnvironment, type TestUser } from "@/tests/support/auth";
import { createTestDatabase, type TestDatabase } from "@/tests/support/database";
import { haproxyInstalled, startHaproxy, SERVED_BY_HEADER, type Haproxy } from "@/tests/support/haproxy";
import { startRedisServer, type RedisServerHandle } from "@/tests/support/redis-server";
import { callServerAction } from "@/tests/support/server-action";

/**
 * Issue 16 item 4: three production instances sharing one Redis and one Postgres database behind
 * a real HAProxy (tests/support/haproxy.ts: round robin, health check on /api/health/ready,
 * retries with redispatch), as a deployment runs them:
 *
 * - a rate limit is exact across the three: N of M concurrent requests through the balancer;
 * - a session and a token work on every instance, and a revocation is effective on all three
 *   at the next request — a disabled owner too, also for the direct path's table reads;
 * - the fleet view lists the three with their pools and the connection budget;
 * - a rolling restart (SIGTERM one instance at a time under steady load, start it again on its
 *   port, wait until HAProxy has it back, next) loses no request and no acknowledged write.
 */
const NAMES = ["lb-a", "lb-b", "lb-c"] as const;
const POOL_SIZE = 3;
/** The api policy's budget per token; the load of the restart test runs on a session (the user policy) instead. */
const API_LIMIT = 10;
/** A day: a burst crossing the window's edge still admits exactly SQL_LIMIT (see rate-limit.test.ts). */
const WINDOW_S = 86_400;
/** HAProxy's health check: every 500 ms, out after 2 failures, back after 2 passes. */
const CHECK = { checkIntervalMs: 500, fall: 2, rise: 2 };
/** Longer than interval × fall (1 s) plus a slow check: HAProxy takes a draining instance out before its listener closes. */
const SHUTDOWN_DELAY_S = 3;

let db: TestDatabase;
let redis: RedisServerHandle;
let haproxy: Haproxy;
let envVars: Record<string, string>;
const apps = new Map<string, AppServer>();
let admin: TestUser;
let analyst: TestUser;
let adminToken: string;

const instanceEnv = (name: string) => ({ ...envVars, INSTANCE_ID: name });

beforeAll(async () => {
  if (!haproxyInstalled()) throw new Error("haproxy is not installed (Debian: apt-get install haproxy)");
  db = await createTestDatabase("lb");
  redis = await startRedisServer();
  envVars = db.envVars({
    REDIS_URL: redis.url,
    // One secret for the fleet, as a deployment sets it: a cookie signed by one instance is read by the others.
    AUTH_SECRET: `lb-test-secret-${randomBytes(24).toString("hex")}`,
    LOG_LEVEL: "info",
    DB_POOL_SIZE: String(POOL_SIZE),
    DB_POOL_MIN: "1",
    RATE_LIMIT_API_LIMIT: String(API_LIMIT),
    RATE_LIMIT_API_WINDOW_S: String(WINDOW_S),
    // The restart test's saved-query writes post under /queries, which counts as SQL too.
    RATE_LIMIT_SQL_LIMIT: "1000000",
    RATE_LIMIT_USER_LIMIT: "1000000",
    RATE_LIMIT_ANONYMOUS_LIMIT: "1000000",
    // Exactness is the point: on a loaded machine a slow Redis answer must not turn into fail-open.
    RATE_LIMIT_TIMEOUT_MS: "5000",
    SHUTDOWN_DELAY_S: String(SHUTDOWN_DELAY_S),
    SHUTDOWN_TIMEOUT_S: "15",
  });
  useAppEnvironment(envVars);
  admin = await createUser(db, { role: "admin" });
  analyst = await createUser(db, { role: "analyst" });
  adminToken = (await createToken(admin, { scopes: ["tables:read", "sql:run", "queries:run", "admin"] })).token;
  const started = await Promise.all(NAMES.map((name) => startAppServer(instanceEnv(name))));
  started.forEach((app, i) => apps.set(NAMES[i]!, app));
  haproxy = await startHaproxy({
    backends: NAMES.map((name) => ({ name, port: apps.get(name)!.port })),
    ...CHECK,
  });
  for (const name of NAMES) await haproxy.waitFor(name, "UP");
}, 180_000);
afterAll(async () => {
  console.log(`[lb] haproxy:\n${haproxy?.output()}`);
  await haproxy?.stop();
  await Promise.all([...apps.values()].map((app) => app.stop()));
  await redis?.stop();
  await db?.drop();
});

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const viaBalancer = (path: string, init: RequestInit = {}) => fetch(`${haproxy.url}${path}`, { redirect: "manual", ...init });
const onInstance = (name: string, path: string, init: RequestInit = {}) => fetch(`${apps.get(name)!.url}${path}`, { redirect: "manual", ...init });
const statusOf = async (response: Promise<Response>) => {
  const answered = await response;
  await answered.arrayBuffer();
  return answered.status;
};

describe("three instances behind HAProxy (issue 16)", () => {
  it(`admits exactly ${API_LIMIT} of ${3 * API_LIMIT} concurrent requests of one token, spread over the three`, async () => {
    const { token } = await createToken(analyst, { scopes: ["tables:read"] });
    const responses = await Promise.all(
      Array.from({ length: 3 * API_LIMIT }, () =>
        viaBalancer("/api/v1/me", { headers: bearer(token) }).then(async (response) => ({
          status: response.status,
          servedBy: response.headers.get(SERVED_BY_HEADER),
          body: await response.text(),
        })),
      ),
    );
    const allowed = responses.filter((r) => r.status === 200);
    const limited = responses.filter((r) => r.status === 429);
    console.log(
      `[lb] exact limit across 3 instances: ${allowed.length} allowed, ${limited.length} refused of ${responses.length} (limit ${API_LIMIT}); served by ${[...new Set(responses.map((r) => r.servedBy))].sort().join(", ")}`,
    );
    expect(new Set(responses.map((r) => r.servedBy))).toEqual(new Set(NAMES));
    expect(allowed, JSON.stringify(responses.filter((r) => r.status !== 200 && r.status !== 429))).toHaveLength(API_LIMIT);
    expect(limited).toHaveLength(2 * API_LIMIT);
    expect(JSON.parse(limited[0]!.body)).toMatchObject({ error: { code: "rate_limited", details: { policy: "api" } } });
    // Control: another token has its own budget, so the refusals were this token's limit, not the instances.
    const { token: other } = await createToken(analyst, { scopes: ["tables:read"] });
    expect(await statusOf(viaBalancer("/api/v1/me", { headers: bearer(other) }))).toBe(200);
  });

  it("honours a session and a token on every instance, and a revocation on all three at the next request", async () => {
    const cookie = await signIn(haproxy.url, analyst.email, analyst.password);
    const { token } = await createToken(analyst, { scopes: ["tables:read"] });
    const { token: kept } = await createToken(analyst, { scopes: ["tables:read"] });
    for (const name of NAMES) {
      expect(await statusOf(onInstance(name, "/api/v1/me", { headers: { cookie } })), `session on ${name}`).toBe(200);
      expect(await statusOf(onInstance(name, "/api/v1/me", { headers: bearer(token) })), `token on ${name}`).toBe(200);
    }

    const { revokeTokenByText } = await import("@/lib/auth/tokens");
    const { revokeUserSessions } = await import("@/lib/auth/sessions");
    expect(await revokeTokenByText(token)).not.toBeNull();
    expect(await revokeUserSessions(analyst.id)).toBeGreaterThanOrEqual(1);
    for (const name of NAMES) {
      expect(await statusOf(onInstance(name, "/api/v1/me", { headers: { cookie } })), `revoked session on ${name}`).toBe(401);
      expect(await statusOf(onInstance(name, "/api/v1/me", { headers: bearer(token) })), `revoked token on ${name}`).toBe(401);
      // Control: the user's other token still works there, so the 401s are the revocations'.
      expect(await statusOf(onInstance(name, "/api/v1/me", { headers: bearer(kept) })), `kept token on ${name}`).toBe(200);
    }
  });

  it("refuses a token's table reads on every instance at the next request once it is revoked or its owner disabled", async () => {
    // Table reads with a token take the direct path (lib/server/4-direct-api.ts) once an instance has loaded the route.
    const reader = await createUser(db, { role: "analyst" });
    const { token } = await createToken(reader, { scopes: ["tables:read"] });
    const { token: kept } = await createToken(analyst, { scopes: ["tables:read"] });
    const read = (name: string, with_: string) => statusOf(onInstance(name, "/api/v1/tables/data.orders?id=eq.1", { headers: bearer(with_) }));
    // The token's budget is API_LIMIT (10) a window, and a disabled owner's reads count against it:
    // the other token loads the route on each instance, this one reads 9 times in all.
    for (const name of NAMES) {
      expect(await read(name, kept), `first read on ${name}`).toBe(200);
      expect(await read(name, token), `direct read on ${name}`).toBe(200);
    }
    const { setDisabled } = await import("@/lib/auth/user-admin");
    const actor = { userId: null, via: "cli" as const, ip: null };
    await setDisabled(actor, reader.id, true);
    for (const name of NAMES) {
      expect(await read(name, token), `disabled owner on ${name}`).toBe(401);
      // Control: another user's token still reads there, so the 401s are the owner's.
      expect(await read(name, kept), `other user's token on ${name}`).toBe(200);
    }
    await setDisabled(actor, reader.id, false);
    for (const name of NAMES) expect(await read(name, token), `enabled again on ${name}`).toBe(200);
    const { revokeTokenByText } = await import("@/lib/auth/tokens");
    expect(await revokeTokenByText(token)).not.toBeNull();
    for (const name of NAMES) expect(await read(name, token), `revoked token on ${name}`).toBe(401);
  });

  it("lists the three instances in the fleet view with their pools and the connection budget against max_connections", async () => {
    const [server] = await db.owner<{ max: number; reserved: number }[]>`
      select current_setting('max_connections')::int as max,
             current_setting('superuser_reserved_connections')::int + coalesce(current_setting('reserved_connections', true)::int, 0) as reserved`;
    type Fleet = {
      instances: Array<{ instance: string; pools: Record<string, { size: number; open: number; health: string }> }>;
      summary: { instances: number; potential: number; available: number; status: string; message: string };
    };
    const readFleet = async () => {
      const response = await viaBalancer("/api/admin/stats", { headers: bearer(adminToken) });
      expect(response.status).toBe(200);
      return ((await response.json()) as { fleet: Fleet }).fleet;
    };
    // Each instance announces itself on its own heartbeat; on a busy machine the first beats of
    // the later two can come after the first stats request.
    await expect.poll(async () => (await readFleet()).instances.map((beat) => beat.instance), { timeout: 30_000, interval: 500 }).toEqual([...NAMES]);
    const fleet = await readFleet();
    expect(fleet.instances.map((beat) => beat.instance)).toEqual([...NAMES]);
    for (const beat of fleet.instances) {
      for (const role of ["readonly", "app", "admin"])
        expect(beat.pools[role], `${beat.instance} ${role}`).toMatchObject({ size: POOL_SIZE, health: "healthy" });
    }
    expect(fleet.summary).toMatchObject({ instances: 3, potential: 3 * 3 * POOL_SIZE, available: server!.max - server!.reserved });
    console.log(`[lb] fleet view: ${fleet.summary.message}`);
    expect(fleet.summary.message).toContain(`3 instances could use at most ${3 * 3 * POOL_SIZE} of ${server!.max - server!.reserved}`);
  });

  it("loses no request and no acknowledged write while the three restart one at a time under load", { timeout: 240_000 }, async () => {
    const cookie = await signIn(haproxy.url, analyst.email, analyst.password);
    const tally = { requests: 0, failures: [] as string[], reads: 0, writes: 0 };
    const acknowledged: string[] = [];
    const servedBy = new Map<string, number>();
    let stop = false;

    const read = async () => {
      const response = await viaBalancer("/api/v1/tables/data.customers?select=id&order=id&limit=1", { headers: { cookie } });
      const body = await response.text();
      const name = response.headers.get(SERVED_BY_HEADER) ?? "?";
      servedBy.set(name, (servedBy.get(name) ?? 0) + 1);
      if (response.status !== 200 || String(JSON.parse(body)[0]?.id) !== "1")
        throw new Error(`read: HTTP ${response.status} from ${name}: ${body.slice(0, 200)}`);
      tally.reads++;
    };
    let written = 0;
    const write = async () => {
      const name = `rolling-${written++}`;
      const result = await callServerAction(haproxy.url, {
        page: "/queries/new",
        filename: "actions/queries.ts",
        exportedName: "createQueryAction",
        fields: { name, sql: "select 1", parameters: "[]" },
        cookie,
      });
      const id = /\/queries\/([0-9a-f-]{36})/.exec(result.location ?? "")?.[1];
      if (!id) throw new Error(`write ${name}: HTTP ${result.status}, no redirect to the saved query: ${result.body.slice(0, 200)}`);
      acknowledged.push(id);
      tally.writes++;
    };
    const lane = async (work: () => Promise<void>) => {
      while (!stop) {
        tally.requests++;
        try {
          await work();
        } catch (error) {
          tally.failures.push(String((error as Error).cause ?? (error as Error).message));
        }
      }
    };
    const lanes = Promise.all([lane(read), lane(read), lane(read), lane(write), lane(write)]);

    const restarts: string[] = [];
    const drained: string[] = [];
    try {
      for (const name of NAMES) {
        const before = tally.requests;
        const app = apps.get(name)!;
        const exit = app.stop("SIGTERM");
        // Draining: readiness says 503 while the listener is still open (SHUTDOWN_DELAY_S), so HAProxy takes it out.
        await haproxy.waitFor(name, "DOWN");
        expect(await exit, `${name} exit code`).toBe(0);
        drained.push(app.output());
        const restarted = await startAppServer(instanceEnv(name), { port: app.port });
        apps.set(name, restarted);
        await haproxy.waitFor(name, "UP");
        restarts.push(`${name}: ${tally.requests - before} requests while it restarted`);
      }
      // Let the last one take traffic before the load stops.
      const served = servedBy.get(NAMES.at(-1)!) ?? 0;
      for (let i = 0; i < 100 && (servedBy.get(NAMES.at(-1)!) ?? 0) < served + 5; i++) await new Promise((r) => setTimeout(r, 50));
    } finally {
      stop = true;
      await lanes;
    }

    console.log(
      `[lb] rolling restart of 3 instances under load: ${tally.requests} requests (${tally.reads} reads, ${tally.writes} acknowledged writes), ` +
        `${tally.failures.length} failures; ${restarts.join("; ")}; served by ${JSON.stringify(Object.fromEntries(servedBy))}`,
    );
    expect(tally.failures).toEqual([]);
    // Controls: the load really ran through every restart, and every instance served some of it.
    expect(tally.writes).toBeGreaterThanOrEqual(10);
    for (const name of NAMES) expect(servedBy.get(name) ?? 0, name).toBeGreaterThan(0);
    const stored = await db.owner<{ id: string }[]>`select id from app.saved_queries where id = any(${acknowledged}::uuid[])`;
    expect(stored.map((row) => row.id).sort()).toEqual([...acknowledged].sort());
    for (const output of drained) {
      expect(output).toMatch(/readiness answers 503; the listener stays open/);
      expect(output).toMatch(/"msg":"shutdown complete"/);
      expect(output).not.toMatch(/shutdown step failed|did not finish before SHUTDOWN_TIMEOUT_S/);
    }
  });
});
