import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closePools } from "@/lib/db/clients";
import { createSavedQuery } from "@/lib/explore/saved-queries";
import { startAppServer, type AppServer } from "@/tests/support/app-server";
import { startRedisServer, type RedisServerHandle } from "@/tests/support/redis-server";
import { signIn } from "@/tests/support/auth";
import { createTestDatabase, type TestDatabase } from "@/tests/support/database";
import { fuzzRequest, isErrorShape, sendRaw, type FuzzRequest, type RawAnswer } from "@/tests/support/http-fuzz";
import { createCaller, explorerEnv } from "@/tests/integration/explore/support/http-auth";

/**
 * HTTP fuzzing of the production server (issue 13, item 9). Generated requests
 * (tests/support/http-fuzz.ts) must never get a 5xx, every error under /api must be in the one
 * error shape, no request may take 15 s, and the server must be ready afterwards. Quick mode (the
 * default suite): FUZZ_RUNS requests (300) from a fixed seed; `npm run fuzz` sends 10,000.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
const SEED = Number(process.env.FUZZ_SEED ?? 1313);
const SLOWEST_MS = 15_000;
const HIGH = "1000000";

let db: TestDatabase;
let app: AppServer;
let redis: RedisServerHandle;
let ctx: { token: string; cookie: string; queryId: string };

beforeAll(async () => {
  db = await createTestDatabase("http_fuzz");
  const limits = Object.fromEntries(
    ["ANONYMOUS", "USER", "API", "AUTH_FAILURE_IP", "SQL", "SIGN_IN_IP", "SIGN_IN_ACCOUNT"].map((p) => [`RATE_LIMIT_${p}_LIMIT`, HIGH]),
  );
  // A Redis of its own: the fuzz's hundreds of anonymous requests from 127.0.0.1 would otherwise
  // spend the shared per-IP budget of the test files running beside it (their limits are lower).
  redis = await startRedisServer();
  const own = { REDIS_URL: redis.url };
  app = await startAppServer(explorerEnv(db, { ...limits, ...own, SQL_TIMEOUT_MS: "3000", LOG_LEVEL: "error" }));
  const caller = await createCaller(db, "analyst", ["tables:read", "sql:run", "queries:run"], own);
  const { createUser } = await import("@/tests/support/auth");
  const browser = await createUser(db, { role: "analyst" });
  const cookie = await signIn(app.url, browser.email, browser.password);
  const query = await createSavedQuery(
    { userId: caller.userId, role: "analyst" },
    {
      name: "fuzzed",
      sql: "select id from data.orders where id > {{n}} and status <> {{s}} and ordered_at >= {{d}} and id <> all({{l}}::int[]) limit 5",
      parameters: [
        { name: "n", type: "number", default: "0" },
        { name: "s", type: "text", default: "x" },
        { name: "d", type: "date", default: "2000-01-01" },
        { name: "l", type: "list", required: false },
      ],
    },
  );
  ctx = { token: caller.token, cookie, queryId: query.id };
}, 120_000);
afterAll(async () => {
  await app?.stop();
  await closePools(1);
  await redis?.stop();
  await db?.drop();
});

describe("HTTP fuzz", () => {
  it(
    `${RUNS} generated requests: no 5xx, API errors in the shape, none slower than 15 s, ready afterwards`,
    async () => {
      const statuses = new Map<number, number>();
      let slowest = 0;
      let sent = 0;
      // One example per kind of failure (what, method, first path segments, status), and a count.
      const failures = new Map<string, { example: string; count: number }>();
      const note = (request: FuzzRequest, answer: RawAnswer, why: string) => {
        const key = `${why} ${request.method} ${request.target.split("?")[0]!.split("/").slice(0, 4).join("/").slice(0, 60)} → ${answer.status}`;
        const seen = failures.get(key);
        if (seen) seen.count++;
        else failures.set(key, { example: failure(request, answer, why), count: 1 });
      };
      const started = performance.now();
      const failure = (request: FuzzRequest, answer: RawAnswer, why: string) =>
        `${why}: ${request.method} ${request.target.slice(0, 300)} [${request.headers.map(([k, v]) => `${k}: ${v.slice(0, 60)}`).join(" | ")}] body=${String(request.body).slice(0, 200)} → ${answer.status} ${answer.body.slice(0, 300)}`;
      await fc.assert(
        fc.asyncProperty(fuzzRequest(ctx), async (request) => {
          const answer = await sendRaw(app.port, request, SLOWEST_MS);
          sent++;
          slowest = Math.max(slowest, answer.ms);
          statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
          // Collected rather than thrown: one run shows every kind of failure, not only the first.
          if (!(answer.status >= 100 && answer.status < 500)) note(request, answer, "a 5xx (or no status)");
          const api = /^\/api(\/|$|\?)/i.test(request.target) || answer.headers["content-type"]?.startsWith("application/json");
          if (answer.status >= 400 && api && request.method !== "HEAD" && !isErrorShape(answer.body)) {
            note(request, answer, "an error outside the shape");
          }
        }),
        { numRuns: RUNS, seed: SEED },
      );
      const seconds = (performance.now() - started) / 1000;
      const summary = [...statuses.entries()]
        .sort(([a], [b]) => a - b)
        .map(([s, n]) => `${s}×${n}`)
        .join(" ");
      console.log(`fuzz: ${sent} requests in ${seconds.toFixed(1)} s (seed ${SEED}); slowest ${(slowest / 1000).toFixed(2)} s; statuses ${summary}`);
      expect([...failures.entries()].map(([key, { count, example }]) => `${count}× ${key}: ${example.slice(0, 600)}`)).toEqual([]);
      expect(slowest).toBeLessThan(SLOWEST_MS);
      // Healthy afterwards, and still serving the API (control).
      expect((await fetch(`${app.url}/api/health/ready`)).status).toBe(200);
      expect((await fetch(`${app.url}/api/v1/me`, { headers: { authorization: `Bearer ${ctx.token}` } })).status).toBe(200);
    },
    Math.max(120_000, RUNS * 200),
  );
});
