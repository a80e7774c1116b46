import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedDatabase } from "@/db/seed";
import { roleCredentials } from "@/lib/db/roles";
import { startAppServer, type AppServer } from "@/tests/support/app-server";
import { createToken, createUser, useAppEnvironment } from "@/tests/support/auth";
import type { TestDatabase } from "@/tests/support/database";
import { startOwnPostgres, type OwnPostgres } from "@/tests/support/own-postgres";
import { testEnvVars } from "@/tests/support/test-env";
import {
  STORM_SERVER_ENV,
  backendView,
  formatStorm,
  runAbortStorm,
  superuserConnection,
  waitForRightAnswer,
  type RoleNames,
} from "@/tests/support/abort-storm";

/**
 * Issue 12: Postgres restarted under light verifier load, three times. A Postgres of its own
 * (the shared test server must not be restarted under the other test files), seeded like the
 * test template. While it is down, 503s are the right answer; a 500 never is. After each
 * recovery the verifiers must get row N again, and once the pools settled, no role may have
 * more backends than its pool size.
 */
const RESTARTS = 3;
const POOL_SIZE = { readonly: 4, app: 6, admin: 6 };
/** After recovery: long enough for every connection opened during it to be used or closed. */
const SETTLE_MS = 3000;

let pg: OwnPostgres;
let app: AppServer;
let token: string;
let roles: RoleNames;

beforeAll(async () => {
  pg = await startOwnPostgres("restart-load");
  const { config, env } = pg;
  await seedDatabase(pg.url, env, { scale: 0.05 });
  roles = { readonly: roleCredentials(env, "readonly").user, app: roleCredentials(env, "app").user, admin: roleCredentials(env, "admin").user };

  const vars = testEnvVars(config, pg.url, { ...STORM_SERVER_ENV, DB_RECONNECT_TIMEOUT_S: "2" });
  useAppEnvironment(vars);
  const owner = superuserConnection(pg.url);
  try {
    const user = await createUser({ owner } as unknown as TestDatabase, { role: "analyst" });
    token = (await createToken(user, { scopes: ["tables:read", "sql:run"] })).token;
  } finally {
    await owner.end({ timeout: 1 });
  }
  app = await startAppServer(vars);
});

afterAll(async () => {
  await app?.stop();
  await pg?.remove();
});

describe("Postgres restarted under verifier load (issue 12)", () => {
  it(`restarts ${RESTARTS} times: no 500, right answers after recovery, backends per role within the pool size`, { timeout: 120_000 }, async () => {
    expect(await waitForRightAnswer(app.url, token, 5000)).not.toBeNull();

    const stopLoad = new AbortController();
    const load = runAbortStorm({
      url: app.url,
      token,
      requests: 1_000_000,
      verifiers: 4,
      aborters: 0,
      signal: stopLoad.signal,
      maxDurationMs: 110_000,
      requestTimeoutMs: 15_000,
    });

    const recoveries: Array<number | null> = [];
    const afterwards: Array<Record<string, number>> = [];
    try {
      for (let i = 0; i < RESTARTS; i++) {
        await new Promise((r) => setTimeout(r, 1000));
        await pg.stop();
        await new Promise((r) => setTimeout(r, 1500));
        await pg.start();
        const recoveredMs = await waitForRightAnswer(app.url, token, 20_000);
        recoveries.push(recoveredMs);
        console.log(`[restart-load] restart ${i + 1}: verifiers right again ${recoveredMs ?? "never (>20 s)"} ms after Postgres was back`);
        await new Promise((r) => setTimeout(r, SETTLE_MS));
        const superuser = superuserConnection(pg.url);
        try {
          const view = await backendView(superuser, roles);
          afterwards.push(view.perRole);
          console.log(
            `[restart-load] restart ${i + 1}: backends ${JSON.stringify(view.perRole)} (pool sizes ${JSON.stringify(POOL_SIZE)}), idle in transaction ${JSON.stringify(view.idleInTransaction)}`,
          );
        } finally {
          await superuser.end({ timeout: 1 });
        }
      }
    } finally {
      stopLoad.abort();
    }
    const report = await load;
    console.log(formatStorm("restart-load", report));
    for (const [kind, list] of Object.entries(report.samples)) {
      for (const sample of list.slice(0, 3))
        console.log(`[restart-load] sample ${kind}: ${sample.kind} ${sample.path} → ${sample.status} ${sample.detail}`);
    }
    const server = app.output();
    console.log(
      `[restart-load] server log: ${(server.match(/unhandled error in route/g) ?? []).length} "unhandled error in route", ${(server.match(/Failed query: /g) ?? []).length} Drizzle "Failed query" (a wrapped driver error)`,
    );
    for (const line of server
      .split("\n")
      .filter((l) => l.includes("unhandled error in route"))
      .slice(0, 3))
      console.log(`[restart-load] server: ${line.slice(0, 700)}`);

    expect(report.verifierRequests).toBeGreaterThan(50);
    expect.soft(report.serverErrors, "500s (5xx other than 503) during and after the restarts").toBe(0);
    expect.soft(report.wrongAnswers, "wrong answers").toBe(0);
    expect.soft(report.innocentCancels, "cancelled statements nobody asked to cancel").toBe(0);
    expect.soft(report.hung, "hung requests").toBe(0);
    expect.soft(report.networkErrors, "dropped connections to the app").toBe(0);
    expect
      .soft(
        recoveries.every((ms) => ms !== null),
        "verifiers right again within 20 s after each restart",
      )
      .toBe(true);
    for (const [i, perRole] of afterwards.entries()) {
      expect.soft(perRole[roles.readonly], `readonly backends after restart ${i + 1}`).toBeLessThanOrEqual(POOL_SIZE.readonly);
      expect.soft(perRole[roles.app], `app backends after restart ${i + 1}`).toBeLessThanOrEqual(POOL_SIZE.app);
      expect.soft(perRole[roles.admin!], `admin backends after restart ${i + 1}`).toBeLessThanOrEqual(POOL_SIZE.admin);
    }
    // The server is serving again at the end.
    expect(await waitForRightAnswer(app.url, token, 10_000)).not.toBeNull();
  });
});
