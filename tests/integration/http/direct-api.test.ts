import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { revokeTokenByText } from "@/lib/auth/tokens";
import { setDisabled } from "@/lib/auth/user-admin";
import { closePools } from "@/lib/db/clients";
import { closeRedis } from "@/lib/redis/client";
import { startAppServer, type AppServer } from "@/tests/support/app-server";
import { directRequestCount } from "@/tests/support/direct-requests";
import { createTestDatabase, type TestDatabase } from "@/tests/support/database";
import { createCaller, explorerEnv, type TestCaller } from "@/tests/integration/explore/support/http-auth";

/**
 * Token-authenticated table reads are answered before Next (lib/server/4-direct-api.ts). Each
 * request below is sent twice to the production build: as an API client sends it (the direct
 * path), and with an unrelated cookie, which leaves it to Next's router and proxy as before. Both
 * answers must be the same — status, body, and every header but the per-request ones — and the
 * server's own counter says which path answered, so a direct path that silently stopped taking
 * requests fails here too.
 */
const METRICS_TOKEN = "metrics-token-for-the-direct-api-test-0123456789";
let db: TestDatabase;
let app: AppServer;
let caller: TestCaller;

beforeAll(async () => {
  db = await createTestDatabase("direct_api");
  app = await startAppServer(explorerEnv(db, { METRICS_TOKEN, DATA_SCHEMAS: "data,public" }));
  caller = await createCaller(db, "viewer", ["tables:read"]);
});

it("leaves a route's first request to Next, which loads the route, and takes the next one", async () => {
  const read = () => fetch(`${app.url}/api/v1/tables/data.orders?id=eq.1`, { headers: caller.headers });
  const before = await directCount();
  expect((await read()).status).toBe(200);
  expect(await directCount()).toBe(before);
  expect((await read()).status).toBe(200);
  expect(await directCount()).toBe(before + 1);
});
afterAll(async () => {
  await app?.stop();
  await closePools();
  await closeRedis();
  await db?.drop();
});

const directCount = () => directRequestCount(app.url, METRICS_TOKEN);

/**
 * Headers whose values differ between any two requests (ids, times, budgets and the seconds to
 * their reset, the CSP nonce): compared by presence only.
 */
const PER_REQUEST = new Set([
  "date",
  "x-request-id",
  "ratelimit-remaining",
  "x-ratelimit-remaining",
  "ratelimit-reset",
  "x-ratelimit-reset",
  "content-security-policy",
]);
/** What Next adds to Vary for its own router (RSC payloads); an API answer varies by encoding only. */
const NEXT_ROUTER_VARY = /^(rsc|next-router-[\w-]+)$/i;

async function answer(path: string, init: RequestInit = {}) {
  const response = await fetch(`${app.url}${path}`, init);
  const headers = Object.fromEntries([...response.headers].map(([name, value]) => [name, PER_REQUEST.has(name) ? "(varies)" : value]));
  if (headers.vary)
    headers.vary = headers.vary
      .split(",")
      .map((entry) => entry.trim())
      .filter((entry) => !NEXT_ROUTER_VARY.test(entry))
      .join(", ");
  return { status: response.status, headers, body: await response.text(), requestId: response.headers.get("x-request-id") };
}

const CASES: Array<[string, string, Record<string, string>?, string?]> = [
  ["a JSON page", "/api/v1/tables/data.orders?select=id,status,total&order=id&limit=5"],
  ["an exact count in Content-Range", "/api/v1/tables/data.orders?limit=3", { prefer: "count=exact" }],
  ["a Range header", "/api/v1/tables/data.orders?order=id", { range: "2-4" }],
  ["CSV", "/api/v1/tables/data.orders?select=id,total&order=id&limit=4", { accept: "text/csv" }],
  ["one object", "/api/v1/tables/data.orders?id=eq.5", { accept: "application/vnd.pgrst.object+json" }],
  ["406 for a singular read of many", "/api/v1/tables/data.orders?limit=2", { accept: "application/vnd.pgrst.object+json" }],
  ["an embed", "/api/v1/tables/data.orders?select=id,customers(full_name)&order=id&limit=3"],
  ["a bad filter (400)", "/api/v1/tables/data.orders?id=zz.5"],
  ["an unknown table (404)", "/api/v1/tables/data.nope"],
  ["an unknown profile (406)", "/api/v1/tables/orders", { "accept-profile": "nope" }],
  ["HEAD with a count", "/api/v1/tables/data.orders?limit=1", { prefer: "count=exact" }, "HEAD"],
];

describe("the direct API path", () => {
  it.each(CASES)("answers %s exactly as Next does", async (_name, path, headers = {}, method = "GET") => {
    const before = await directCount();
    const direct = await answer(path, { method, headers: { ...caller.headers, ...headers } });
    const afterDirect = await directCount();
    const viaNext = await answer(path, { method, headers: { ...caller.headers, ...headers, cookie: "unrelated=1" } });
    const afterNext = await directCount();
    expect(afterDirect - before).toBe(1);
    // Control: the cookie request went through Next.
    expect(afterNext - afterDirect).toBe(0);
    expect(direct.requestId).toMatch(/^[\w-]{8,}$/);
    expect(direct).toEqual({ ...viaNext, requestId: direct.requestId });
  });
});

describe("the direct path's gate", () => {
  const PATH = "/api/v1/tables/data.orders?id=eq.5";

  it("refuses a revoked token and a disabled owner on the very next request", async () => {
    const other = await createCaller(db, "viewer", ["tables:read"]);
    const read = () => fetch(`${app.url}${PATH}`, { headers: other.headers });
    await (await read()).body?.cancel(); // Next loads the route, if no test did yet
    const before = await directCount();
    expect((await read()).status).toBe(200); // control
    const actor = { userId: null, via: "cli" as const, ip: null };
    await setDisabled(actor, other.userId, true);
    const disabled = await read();
    expect(disabled.status).toBe(401);
    expect((await disabled.json()).error.message).toMatch(/disabled/);
    await setDisabled(actor, other.userId, false);
    expect((await read()).status).toBe(200);
    await revokeTokenByText(other.token);
    const revoked = await read();
    expect(revoked.status).toBe(401);
    expect((await revoked.json()).error.message).toMatch(/unknown, revoked or expired/);
    expect(await directCount()).toBe(before + 4);
  });

  it("counts against the token's API budget and answers 429 in the error shape past it", async () => {
    // Its own scraper secret: the shared one's budget (the same Redis key) is spent by the tests above.
    const scraper = `${METRICS_TOKEN}-limited`;
    const limited = await startAppServer(explorerEnv(db, { METRICS_TOKEN: scraper, RATE_LIMIT_API_LIMIT: "3", RATE_LIMIT_API_WINDOW_S: "60" }));
    try {
      const other = await createCaller(db, "viewer", ["tables:read"]);
      const statuses: number[] = [];
      let last: Response | undefined;
      for (let i = 0; i < 5; i++) {
        last = await fetch(`${limited.url}${PATH}`, { headers: other.headers });
        statuses.push(last.status);
        if (i < 4) await last.body?.cancel();
      }
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
      expect(last!.headers.get("retry-after")).toMatch(/^\d+$/);
      expect((await last!.json()).error.code).toBe("rate_limited");
      // The first went through Next (it loaded the route); the other four, refusals included, did not.
      expect(await directRequestCount(limited.url, scraper)).toBe(4);
    } finally {
      await limited.stop();
    }
  });
});
