import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAppServer, type AppServer } from "@/tests/support/app-server";
import { startOwnPostgres, type OwnPostgres } from "@/tests/support/own-postgres";
import { testEnvVars } from "@/tests/support/test-env";

/**
 * A Postgres of its own (the shared test server must not be restarted under
 * the other test files), restarted while the app is under load.
 */
/** Readiness names its failed checks only to admins and the scraper secret. */
const METRICS_TOKEN = `mt-${randomBytes(24).toString("base64url")}`;
let pg: OwnPostgres;
let app: AppServer;

beforeAll(async () => {
  pg = await startOwnPostgres("restart");
  app = await startAppServer(testEnvVars(pg.config, pg.url, { DB_RECONNECT_TIMEOUT_S: "2", METRICS_TOKEN }));
});

afterAll(async () => {
  await app?.stop();
  await pg?.remove();
});

interface Outcome {
  status: number | "hung" | "network-error";
  ms: number;
  code?: string;
}

async function hit(url: string): Promise<Outcome> {
  const started = performance.now();
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
    const body = (await response.json()) as { error?: { code: string }; status?: string };
    return { status: response.status, ms: performance.now() - started, code: body.error?.code ?? body.status };
  } catch (error) {
    const hung = error instanceof Error && error.name === "TimeoutError";
    return { status: hung ? "hung" : "network-error", ms: performance.now() - started };
  }
}

async function readyStatus(): Promise<{ status: number; failed: string[] }> {
  const response = await fetch(`${app.url}/api/health/ready`, {
    headers: { authorization: `Bearer ${METRICS_TOKEN}` },
    signal: AbortSignal.timeout(10_000),
  });
  const body = (await response.json()) as { failed: string[] };
  return { status: response.status, failed: body.failed };
}

async function waitForReady(expected: number, timeoutMs: number): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if ((await readyStatus()).status === expected) return Date.now() - started;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`readiness did not become ${expected} within ${timeoutMs} ms; the server said:\n${app.output().slice(-6000)}`);
}

describe("Postgres restarted under load", () => {
  it("fails requests cleanly while down and recovers by itself", async () => {
    expect((await readyStatus()).status).toBe(200);

    const outcomes: Outcome[] = [];
    let loading = true;
    const workers = Array.from({ length: 4 }, async () => {
      while (loading) outcomes.push(await hit(`${app.url}/api/health/ready`));
    });

    await new Promise((r) => setTimeout(r, 500));
    await pg.stop();
    await waitForReady(503, 10_000);
    const down = await readyStatus();
    expect(down.failed).toEqual(expect.arrayContaining(["db:readonly", "db:app", "db:admin"]));
    await new Promise((r) => setTimeout(r, 2500)); // past DB_RECONNECT_TIMEOUT_S: health says down, still probing

    await pg.start();
    const recoveredInMs = await waitForReady(200, 15_000);
    console.log(`[restart] readiness back ${recoveredInMs} ms after Postgres restarted`);
    await new Promise((r) => setTimeout(r, 500));
    loading = false;
    await Promise.all(workers);

    const statuses = new Set(outcomes.map((o) => o.status));
    expect([...statuses].sort()).toEqual([200, 503]);
    expect(outcomes.filter((o) => o.status === "hung" || o.status === "network-error")).toEqual([]);
    expect(Math.max(...outcomes.map((o) => o.ms))).toBeLessThan(6000);
    expect(outcomes.at(-1)!.status).toBe(200);
    expect(recoveredInMs).toBeLessThan(15_000);
    // postgres.js used to write to a connection whose socket was gone (its reconnect path, which the pool no longer takes).
    expect(app.output()).not.toContain("uncaughtException");
    expect(app.output()).not.toContain("reading 'write'");

    // Plain pages and every pool work again.
    const after = await readyStatus();
    expect(after).toEqual({ status: 200, failed: [] });
  });
});
