import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAppServer, type AppServer } from "@/tests/support/app-server";
import { createTestDatabase, type TestDatabase } from "@/tests/support/database";
import { startRedisServer, type RedisServerHandle } from "@/tests/support/redis-server";
import { createOperator, type Operator } from "@/tests/integration/ops/operator";
import { signIn } from "@/tests/integration/ops/session";

/** /api/metrics of the production build: who may read it, and what a scraper gets. */
const METRICS_TOKEN = `mt-${randomBytes(24).toString("base64url")}`;
let db: TestDatabase;
let redis: RedisServerHandle;
let app: AppServer;
let operator: Operator;
let readerToken: string;

beforeAll(async () => {
  db = await createTestDatabase("metrics");
  redis = await startRedisServer();
  operator = await createOperator(db, redis.url);
  const created = await operator.script("token", ["create", "--email", operator.adminEmail, "--name", "reader", "--scopes", "tables:read"]);
  readerToken = created.trim().split("\n").at(-1)!;
  app = await startAppServer(db.envVars({ REDIS_URL: redis.url, METRICS_TOKEN, LOG_LEVEL: "info" }));
});
afterAll(async () => {
  await app?.stop();
  await redis?.stop();
  await db?.drop();
});

const scrape = (authorization?: string) => fetch(`${app.url}/api/metrics`, { headers: authorization ? { authorization } : {} });

/** `name{labels} value` → value, for one exact series. */
function sample(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(series + " "));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe("GET /api/metrics", () => {
  it("refuses anonymous callers, wrong secrets and tokens without the admin scope", async () => {
    const anonymous = await scrape();
    expect(anonymous.status).toBe(401);
    expect((await anonymous.json()).error.code).toBe("unauthorized");
    expect((await scrape(`Bearer ${METRICS_TOKEN}x`)).status).toBe(401);
    expect((await scrape(METRICS_TOKEN)).status).toBe(401);
    const reader = await scrape(`Bearer ${readerToken}`);
    expect(reader.status).toBe(403);
    expect((await reader.json()).error.message).toMatch(/admin/);
  });

  it("serves Prometheus text to the METRICS_TOKEN scraper and to an admin token", async () => {
    for (const authorization of [`Bearer ${METRICS_TOKEN}`, `Bearer ${operator.adminToken}`]) {
      const response = await scrape(authorization);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
      expect(response.headers.get("cache-control")).toBe("no-store");
      expect(await response.text()).toContain("# TYPE sluice_db_pool_in_use gauge");
    }
  });

  it("reports per-role pool gauges and counters from the live pools", async () => {
    expect((await fetch(`${app.url}/api/health/ready`)).status).toBe(200); // opens all three pools
    const text = await (await scrape(`Bearer ${METRICS_TOKEN}`)).text();
    for (const role of ["readonly", "app", "admin"]) {
      expect(sample(text, `sluice_db_pool_max{role="${role}"}`)).toBe(10);
      expect(sample(text, `sluice_db_pool_min{role="${role}"}`)).toBe(2);
      expect(sample(text, `sluice_db_pool_in_use{role="${role}"}`)).toBe(0);
      expect(sample(text, `sluice_db_pool_waiting{role="${role}"}`)).toBe(0);
      expect(sample(text, `sluice_db_pool_open{role="${role}"}`)).toBeGreaterThanOrEqual(1);
      expect(sample(text, `sluice_db_pool_idle{role="${role}"}`)).toBeGreaterThanOrEqual(1);
      expect(sample(text, `sluice_db_pool_healthy{role="${role}"}`)).toBe(1);
      expect(sample(text, `sluice_db_pool_served_total{role="${role}"}`)).toBeGreaterThanOrEqual(1);
      expect(sample(text, `sluice_db_pool_connections_opened_total{role="${role}"}`)).toBeGreaterThanOrEqual(1);
      for (const counter of ["rejected", "timeouts", "connections_lost"]) {
        expect(sample(text, `sluice_db_pool_${counter}_total{role="${role}"}`)).toBe(0);
      }
    }
    expect(text).toMatch(/^process_resident_memory_bytes \d+/m);
  });

  it("counts served requests as they happen", async () => {
    const before = await (await scrape(`Bearer ${METRICS_TOKEN}`)).text();
    const servedBefore = sample(before, 'sluice_db_pool_served_total{role="app"}') ?? 0;
    for (let i = 0; i < 3; i++)
      expect((await fetch(`${app.url}/api/v1/me`, { headers: { authorization: `Bearer ${operator.adminToken}` } })).status).toBe(200);
    // Authentication reads the user's state from Redis; listing saved queries is work on the app pool.
    expect((await fetch(`${app.url}/api/v1/queries`, { headers: { authorization: `Bearer ${operator.adminToken}` } })).status).toBe(200);
    const after = await (await scrape(`Bearer ${METRICS_TOKEN}`)).text();
    expect(sample(after, 'sluice_db_pool_served_total{role="app"}')).toBeGreaterThan(servedBefore);
    // Histograms by route template, method and status class.
    expect(sample(after, 'sluice_http_request_duration_seconds_count{route="/api/v1/me",method="GET",status_class="2xx"}')).toBeGreaterThanOrEqual(3);
    expect(sample(after, 'sluice_http_request_duration_seconds_count{route="/api/metrics",method="GET",status_class="4xx"}')).toBeGreaterThanOrEqual(
      1,
    );
    expect(after).toMatch(/^sluice_http_request_pool_wait_seconds_count\{status_class="2xx"\} \d+/m);
    // Rate-limit decisions of this process: the token requests above went through the api policy.
    expect(sample(after, 'sluice_ratelimit_decisions_total{policy="api",decision="allowed"}')).toBeGreaterThanOrEqual(3);
    expect(sample(after, 'sluice_ratelimit_decisions_total{policy="api",decision="limited"}')).toBe(0);
  });

  it("writes one JSON log line per request, with ids and pool wait but no token, secret or password", async () => {
    await fetch(`${app.url}/api/v1/me`, { headers: { authorization: `Bearer ${operator.adminToken}`, "x-request-id": "ops-log-check-1" } });
    await fetch(`${app.url}/api/v1/me`, { headers: { authorization: "Bearer slc_ThisIsNotARealTokenButLooksLikeOne1234" } });
    await new Promise((r) => setTimeout(r, 200));
    const output = app.output();
    const lines = output
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const line = lines.find((l) => l.msg === "request" && l.requestId === "ops-log-check-1");
    expect(line).toMatchObject({ method: "GET", route: "/api/v1/me", status: 200 });
    expect(line!.ms).toEqual(expect.any(Number));
    expect(line!.poolWaitMs).toEqual(expect.any(Number));
    expect(line!.userId).toEqual(expect.any(String));
    expect(line!.tokenId).toEqual(expect.any(String));
    const secrets = [METRICS_TOKEN, operator.adminToken, readerToken, operator.adminPassword, "slc_ThisIsNotARealTokenButLooksLikeOne1234"];
    secrets.push(
      ...Object.entries(db.envVars())
        .filter(([key]) => /PASSWORD|SECRET/.test(key))
        .map(([, value]) => value),
    );
    for (const secret of secrets) expect(output).not.toContain(secret);
  });

  it("writes one line per page request too, with the signed-in user, one for API requests the proxy refused, and none twice", async () => {
    const cookie = await signIn(app.url, operator.adminEmail, operator.adminPassword);
    const page = await fetch(`${app.url}/explore`, { headers: { cookie, "x-request-id": "ops-page-log-1" } });
    expect(page.status).toBe(200);
    await page.text();
    const anonymous = await fetch(`${app.url}/sign-in`, { headers: { "x-request-id": "ops-page-log-2" } });
    await anonymous.text();
    await fetch(`${app.url}/api/v1/me`, { headers: { authorization: `Bearer ${operator.adminToken}`, "x-request-id": "ops-log-check-3" } });
    // Refused by the proxy (no credentials): no route handler runs, the server's access log writes the line.
    expect((await fetch(`${app.url}/api/v1/me`, { headers: { "x-request-id": "ops-log-check-4" } })).status).toBe(401);
    await new Promise((r) => setTimeout(r, 200));
    const lines = app
      .output()
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const signedIn = lines.filter((l) => l.requestId === "ops-page-log-1");
    expect(signedIn).toHaveLength(1);
    expect(signedIn[0]).toMatchObject({ msg: "page", method: "GET", route: "/explore", status: 200, userId: expect.any(String) });
    expect(signedIn[0]!.ms).toEqual(expect.any(Number));
    expect(signedIn[0]!.poolWaitMs).toEqual(expect.any(Number));
    const signInPage = lines.filter((l) => l.requestId === "ops-page-log-2");
    expect(signInPage).toHaveLength(1);
    expect(signInPage[0]).toMatchObject({ msg: "page", route: "/sign-in", status: 200 });
    expect(signInPage[0]!.userId).toBeUndefined();
    // API requests keep their own single line from the route wrapper.
    expect(lines.filter((l) => l.requestId === "ops-log-check-3").map((l) => l.msg)).toEqual(["request"]);
    const refused = lines.filter((l) => l.requestId === "ops-log-check-4");
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({ msg: "request", method: "GET", route: "/api/v1/me", status: 401 });
    expect(app.output()).not.toContain(operator.adminPassword);
  });
});
