import { randomBytes } from "node:crypto";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAppServer, type AppServer } from "@/tests/support/app-server";
import { createTestDatabase, type TestDatabase } from "@/tests/support/database";
import { createCaller, explorerEnv, type TestCaller } from "@/tests/integration/explore/support/http-auth";

/**
 * The front-door admission limit (lib/server/3-admission.ts): with API_MAX_IN_FLIGHT=2 and two
 * table reads blocked on a lock, a third /api/v1 request is refused at once with 503 +
 * Retry-After in the error shape, while health stays answerable; a request whose client went
 * away frees its place. The reads are blocked by an owner transaction holding an ACCESS
 * EXCLUSIVE lock on data.orders.
 */
const METRICS_TOKEN = `mt-${randomBytes(24).toString("base64url")}`;
let db: TestDatabase;
let app: AppServer;
let reader: TestCaller;

beforeAll(async () => {
  db = await createTestDatabase("admission");
  app = await startAppServer(explorerEnv(db, { API_MAX_IN_FLIGHT: "2", METRICS_TOKEN }));
  reader = await createCaller(db, "viewer", ["tables:read"]);
});
afterAll(async () => {
  await app?.stop();
  await db?.drop();
});

const get = (path: string, signal = AbortSignal.timeout(30_000)) => fetch(`${app.url}${path}`, { headers: reader.headers, signal });

async function waitForLockWaiters(count: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const [row] = await db.owner<{ n: number }[]>`
      select count(*)::int as n from pg_stat_activity
      where datname = current_database() and wait_event_type = 'Lock' and query like '%orders%'`;
    if (row!.n >= count) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${count} table reads did not start waiting on the lock`);
}

/** An owner transaction holding ACCESS EXCLUSIVE on data.orders until release(); holder settles to null or the error. */
async function lockOrders(): Promise<{ release: () => void; holder: Promise<unknown> }> {
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  let locked!: () => void;
  const isLocked = new Promise<void>((r) => (locked = r));
  const holder = db.owner
    .begin(async (sql) => {
      await sql`lock table data.orders in access exclusive mode`;
      locked();
      await released;
    })
    .then(
      () => null,
      (error: unknown) => error,
    );
  await isLocked;
  return { release, holder };
}

/** Raw HTTP/1.1 over one socket: several requests written at once (pipelined), exactly as given. */
function rawRequests(paths: string[]): { socket: net.Socket; received: () => string } {
  const socket = net.connect(app.port, "127.0.0.1");
  let received = "";
  socket.on("data", (chunk) => (received += chunk.toString()));
  socket.on("error", () => {});
  const auth = reader.headers.authorization!;
  socket.write(paths.map((p) => `GET ${p} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${auth}\r\n\r\n`).join(""));
  return { socket, received: () => received };
}

async function inFlightNow(): Promise<number> {
  const response = await fetch(`${app.url}/api/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  const line = (await response.text()).split("\n").find((l) => l.startsWith('sluice_api_in_flight{kind="current"} '));
  return Number(line?.split(" ")[1] ?? NaN);
}

async function shedCount(): Promise<number> {
  const response = await fetch(`${app.url}/api/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  const line = (await response.text()).split("\n").find((l) => l.startsWith("sluice_api_shed_total "));
  return Number(line?.split(" ")[1] ?? NaN);
}

describe("API admission limit", () => {
  it("refuses /api/v1 requests above the in-flight limit at once, keeps health answering, frees places", async () => {
    // Catalog loaded first, so the blocked requests below are the only ones in flight.
    expect((await get("/api/v1/tables/data.customers?limit=1")).status).toBe(200);
    const shedBefore = await shedCount();

    const { release, holder } = await lockOrders();

    try {
      const abortFirst = new AbortController();
      const first = get("/api/v1/tables/data.orders?limit=1", abortFirst.signal).catch((error: unknown) => error);
      const second = get("/api/v1/tables/data.orders?limit=1");
      await waitForLockWaiters(2);

      const started = performance.now();
      const refused = await get("/api/v1/tables/data.customers?limit=1");
      const refusedMs = performance.now() - started;
      expect(refused.status).toBe(503);
      expect(refused.headers.get("retry-after")).toBe("1");
      expect(refused.headers.get("content-type")).toContain("application/json");
      expect(refused.headers.get("x-request-id")).toMatch(/^[\w-]{8,}$/);
      expect(refused.headers.get("x-content-type-options")).toBe("nosniff");
      const body = (await refused.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe("overloaded");
      expect(body.error.message).toMatch(/limit of 2 API requests in flight/);
      expect(refusedMs).toBeLessThan(1000);
      expect(await shedCount()).toBe(shedBefore + 1);

      // Not counted: operators can still ask an overloaded instance how it is.
      expect((await fetch(`${app.url}/api/health/ready`)).status).toBe(200);

      // The first client gives up: its place is free again, though the second read still waits.
      abortFirst.abort();
      expect(await first).toBeInstanceOf(Error);
      let admitted = 0;
      const deadline = Date.now() + 5000;
      while (Date.now() < deadline && admitted !== 200) {
        admitted = (await get("/api/v1/tables/data.customers?limit=1")).status;
        if (admitted !== 200) await new Promise((r) => setTimeout(r, 50));
      }
      expect(admitted).toBe(200);

      release();
      expect((await second).status).toBe(200);
    } finally {
      release();
      expect(await holder).toBeNull();
    }
    // Nothing stays counted: once the last responses have closed on the server (a client sees a
    // body before the server's close event), the count is 0 and a burst of sequential reads all pass.
    await expect.poll(inFlightNow, { timeout: 5000 }).toBe(0);
    for (let i = 0; i < 5; i++) {
      const response = await get("/api/v1/tables/data.orders?limit=1");
      expect(response.status, await response.clone().text()).toBe(200);
    }
  });

  it("frees the places of pipelined requests whose connection closes, and counts dot-segment paths too", async () => {
    // The previous test's last responses may still be closing on the server.
    await expect.poll(inFlightNow, { timeout: 5000 }).toBe(0);
    const { release, holder } = await lockOrders();
    try {
      // One connection, four requests at once: the first runs (blocked on the lock), the second
      // waits its turn behind it in Node, the other two are refused.
      const blocked = "/api/v1/tables/data.orders?limit=1";
      const pipelined = rawRequests([blocked, blocked, blocked, blocked]);
      await waitForLockWaiters(1);
      await expect.poll(inFlightNow, { timeout: 5000 }).toBe(2);

      // A path that only becomes /api/v1/… once its dot segments are resolved is counted too.
      const sneaky = rawRequests(["/api/x/%2e%2e/v1/tables/data.customers?limit=1"]);
      await expect.poll(() => sneaky.received(), { timeout: 5000 }).toMatch(/^HTTP\/1\.1 503/);
      sneaky.socket.destroy();

      // The client hangs up: both places come back, also the one whose response never started.
      pipelined.socket.destroy();
      await expect.poll(inFlightNow, { timeout: 5000 }).toBe(0);
      expect((await get("/api/v1/tables/data.customers?limit=1")).status).toBe(200);
    } finally {
      release();
      expect(await holder).toBeNull();
    }
  });
});
