import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closePools } from "@/lib/db/clients";
import { createSavedQuery } from "@/lib/explore/saved-queries";
import { startAppServer, type AppServer } from "@/tests/support/app-server";
import { createTestDatabase, type TestDatabase } from "@/tests/support/database";
import { createCaller, explorerEnv, type TestCaller } from "@/tests/integration/explore/support/http-auth";

/** Saved-query runs count against the `sql` policy as well as `api` (issue 13, item 7). */
const SQL_LIMIT = 3;
let db: TestDatabase;
let app: AppServer;
let caller: TestCaller;
let queryId: string;

beforeAll(async () => {
  db = await createTestDatabase("saved_query_sql_limit");
  app = await startAppServer(
    explorerEnv(db, {
      RATE_LIMIT_SQL_LIMIT: String(SQL_LIMIT),
      RATE_LIMIT_SQL_WINDOW_S: "3600",
      RATE_LIMIT_API_LIMIT: "1000",
      RATE_LIMIT_API_WINDOW_S: "3600",
    }),
  );
  caller = await createCaller(db, "analyst", ["queries:run"]);
  queryId = (await createSavedQuery({ userId: caller.userId, role: "analyst" }, { name: "one", sql: "select 1 as one" })).id;
});
afterAll(async () => {
  await app?.stop();
  await closePools(1);
  await db?.drop();
});

describe("saved-query runs and the sql policy", () => {
  it("refuses the run past the sql budget, GET and POST alike, while other API calls go on", async () => {
    const run = (method: "GET" | "POST") =>
      fetch(`${app.url}/api/v1/queries/${queryId}/results`, {
        method,
        headers: { ...caller.headers, "content-type": "application/json" },
        body: method === "POST" ? JSON.stringify({ params: {} }) : undefined,
      });
    const statuses: number[] = [];
    for (const method of ["GET", "POST", "GET", "POST"] as const) statuses.push((await run(method)).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const refused = await run("GET");
    expect(refused.status).toBe(429);
    expect(refused.headers.get("ratelimit-limit")).toBe(String(SQL_LIMIT));
    expect(await refused.json()).toEqual({ error: { code: "rate_limited", message: expect.any(String), details: expect.anything() } });
    // Control: the same token's api budget is far from spent; reading the saved query itself runs nothing.
    expect((await fetch(`${app.url}/api/v1/queries/${queryId}`, { headers: caller.headers })).status).toBe(200);
  });
});
