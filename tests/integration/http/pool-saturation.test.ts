import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAppServer, type AppServer } from "@/tests/support/app-server";
import { createTestDatabase, type TestDatabase } from "@/tests/support/database";
import { createCaller, explorerEnv, type TestCaller } from "@/tests/integration/explore/support/http-auth";

/**
 * Issue 2's promise, end to end: with one readonly connection and one queue slot, requests that
 * cannot get a connection are answered 503 + Retry-After in the error shape — the queued one
 * within the acquire timeout, the rest at once — and nothing hangs. The table API is made to
 * block by an owner transaction holding an ACCESS EXCLUSIVE lock on data.orders.
 */
const ACQUIRE_TIMEOUT_MS = 500;
let db: TestDatabase;
let app: AppServer;
let reader: TestCaller;

beforeAll(async () => {
  db = await createTestDatabase("pool_saturation");
  app = await startAppServer(
    explorerEnv(db, {
      DB_POOL_SIZE_READONLY: "1",
      DB_POOL_MIN: "1",
      DB_POOL_MAX_WAITING: "1",
      DB_POOL_ACQUIRE_TIMEOUT_MS: String(ACQUIRE_TIMEOUT_MS),
      // The gate itself is under test: no front-door admission limit (tests/integration/http/admission.test.ts).
      API_MAX_IN_FLIGHT: "0",
    }),
  );
  reader = await createCaller(db, "viewer", ["tables:read"]);
});
afterAll(async () => {
  await app?.stop();
  await db?.drop();
});

async function timedGet(path: string) {
  const started = Date.now();
  const response = await fetch(`${app.url}${path}`, { headers: reader.headers, signal: AbortSignal.timeout(30_000) });
  const body = (await response.json()) as unknown;
  return { status: response.status, retryAfter: response.headers.get("retry-after"), body, ms: Date.now() - started };
}

describe("readonly pool saturation over HTTP", () => {
  it("sheds the excess with 503 + Retry-After within the acquire timeout, then recovers", async () => {
    // Load the catalog first, so it does not compete for the one connection below.
    expect((await timedGet("/api/v1/tables/data.customers?limit=1")).status).toBe(200);

    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    let locked!: () => void;
    const isLocked = new Promise<void>((r) => (locked = r));
    const holder = db.owner.begin(async (sql) => {
      await sql`lock table data.orders in access exclusive mode`;
      locked();
      await released;
    });
    // Handled here so a failed assertion (and the database drop) cannot leave it unhandled.
    const holderDone = holder.then(
      () => null,
      (error: unknown) => error,
    );
    await isLocked;

    const N = 6;
    const pending = Array.from({ length: N }, () => timedGet("/api/v1/tables/data.orders?limit=1"));
    // The blocked request holds the connection until the lock goes: wait for every other answer.
    const settled = await Promise.race([
      Promise.allSettled(pending),
      new Promise<"waiting">((r) => setTimeout(() => r("waiting"), ACQUIRE_TIMEOUT_MS + 3000)),
    ]);
    if (settled !== "waiting") release();
    expect(settled).toBe("waiting");
    const answered = await Promise.all(pending.map((p) => Promise.race([p, new Promise<null>((r) => setTimeout(() => r(null), 0))])));
    const shed = answered.filter((a): a is NonNullable<typeof a> => a !== null);
    expect(shed).toHaveLength(N - 1);
    for (const answer of shed) {
      expect(answer.status).toBe(503);
      expect(Number(answer.retryAfter)).toBeGreaterThan(0);
      const { error } = answer.body as { error: { code: string; message: string } };
      expect(["pool_saturated", "pool_timeout"]).toContain(error.code);
      expect(answer.ms).toBeLessThan(ACQUIRE_TIMEOUT_MS + 2500);
    }
    expect(shed.filter((a) => (a.body as { error: { code: string } }).error.code === "pool_timeout")).toHaveLength(1);

    release();
    expect(await holderDone).toBeNull();
    const blocked = await Promise.all(pending);
    expect(blocked.filter((a) => a.status === 200)).toHaveLength(1);

    for (let i = 0; i < 5; i++) {
      const again = await timedGet("/api/v1/tables/data.orders?limit=1");
      expect(again.status).toBe(200);
    }
  });
});
