import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAppServer, type AppServer } from "@/tests/support/app-server";
import { createTestDatabase, type TestDatabase } from "@/tests/support/database";
import { createCaller, explorerEnv, type TestCaller } from "@/tests/integration/explore/support/http-auth";

/**
 * Console users cannot read each other's SQL (issue 13, item 10): they all run as the readonly
 * role, and Postgres shows a session's query text to every member of its role, so the activity
 * view and the functions behind it are not the readonly role's to read (db/setup.ts).
 */
let db: TestDatabase;
let app: AppServer;
let alice: TestCaller;
let bob: TestCaller;

beforeAll(async () => {
  db = await createTestDatabase("sql_privacy");
  app = await startAppServer(explorerEnv(db, { SQL_TIMEOUT_MS: "30000" }));
  alice = await createCaller(db, "analyst", ["sql:run"]);
  bob = await createCaller(db, "analyst", ["sql:run"]);
});
afterAll(async () => {
  await app?.stop();
  await db?.drop();
});

function run(caller: TestCaller, sql: string, signal?: AbortSignal) {
  return fetch(`${app.url}/api/v1/sql`, {
    method: "POST",
    headers: { ...caller.headers, "content-type": "application/json" },
    body: JSON.stringify({ sql }),
    signal,
  });
}

describe("another console user's running SQL", () => {
  it("is not readable through pg_stat_activity or the functions behind it; the admin role still sees it (control)", async () => {
    const secret = "select pg_sleep(20), 'alice_secret_4711' as marker";
    const controller = new AbortController();
    const pending = run(alice, secret, controller.signal).catch(() => null);
    try {
      const seenBy = async (sql: ReturnType<TestDatabase["as"]>) =>
        (
          await sql`select count(*)::int as n from pg_stat_activity where query like '%alice_secret_4711%' and state = 'active' and pid <> pg_backend_pid()`
        )[0]!.n;
      // Control: the statement runs, and the admin role (the dashboard's server view) sees it.
      const admin = db.as("admin");
      for (let i = 0; i < 100 && (await seenBy(admin)) === 0; i++) await new Promise((r) => setTimeout(r, 100));
      expect(await seenBy(admin)).toBe(1);

      for (const probe of [
        "select query from pg_stat_activity",
        "select query from pg_catalog.pg_stat_get_activity(null)",
        "select pg_catalog.pg_stat_get_backend_activity(s) from pg_catalog.pg_stat_get_backend_idset() s",
      ]) {
        const response = await run(bob, probe);
        expect(response.status, probe).toBe(403);
        const { error } = (await response.json()) as { error: { details: { reason: string } } };
        expect(error.details.reason, probe).toBe("permission_denied");
      }
      // Control: Bob's own ordinary SQL runs.
      expect((await run(bob, "select 1 as one")).status).toBe(200);
      // And straight on the readonly role, as a console run would be: refused by the database itself.
      await expect(db.as("readonly")`select count(*) from pg_stat_activity`).rejects.toMatchObject({ code: "42501" });
    } finally {
      controller.abort();
      await pending;
    }
  });
});
