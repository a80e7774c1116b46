import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RolePool } from "@/lib/db/pool";
import { createTestDatabase, type TestDatabase } from "@/tests/support/database";
import { OutageProxy } from "@/tests/support/outage-proxy";
import { poolConfig } from "@/tests/support/pool-config";

/*
 * postgres.js 3.4.9 has real defects on its reconnect and reserve() paths (upstream #1195,
 * #1199, #1186, #1154/#1208, PR #1168; see docs/architecture.md, "The driver"). The pool no
 * longer takes those paths — one single-connection client per slot, connected before a unit
 * gets it, ended the moment its socket closes, never reconnected, no reserve() — so it runs on
 * the driver as published. Each case here is one of those defects, driven through the pool
 * against the stock driver: each used to hang, time out, fail a healthy request or throw an
 * uncaught error.
 */
let db: TestDatabase;
const pools: RolePool[] = [];

beforeAll(async () => {
  db = await createTestDatabase("driver");
});
afterAll(async () => {
  await Promise.all(pools.map((p) => p.close(1)));
  await db.drop();
});

function open(url: string, overrides: Parameters<typeof poolConfig>[2] = {}) {
  const pool = new RolePool(poolConfig("readonly", url, { size: 1, min: 0, connectTimeoutS: 2, ...overrides }));
  pools.push(pool);
  return pool;
}

type Settled<T> = { status: "ok"; value: T } | { status: "error"; error: unknown } | { status: "hung" };

/** How `promise` ends within `ms`: a hang is an outcome, not a test timeout. */
function settle<T>(promise: PromiseLike<T>, ms: number): Promise<Settled<T>> {
  return Promise.race([
    Promise.resolve(promise).then(
      (value) => ({ status: "ok" as const, value }),
      (error: unknown) => ({ status: "error" as const, error }),
    ),
    new Promise<Settled<T>>((resolve) => setTimeout(() => resolve({ status: "hung" }), ms)),
  ]);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function healthy(pool: RolePool, ms = 5000) {
  const deadline = Date.now() + ms;
  while (pool.stats().health !== "healthy" && Date.now() < deadline) await sleep(20);
  return pool.stats().health === "healthy";
}

const pid = (pool: RolePool) => pool.run(async ({ sql }) => (await sql<{ pid: number }[]>`select pg_backend_pid() as pid`)[0]!.pid);

describe("the pool on the stock postgres.js 3.4.9", () => {
  it("failed connects cost nothing: every attempt fails fast, and the first one after the server is back works", async () => {
    const proxy = await OutageProxy.start(db.url);
    try {
      proxy.refuse();
      const pool = open(proxy.url(db.roleUrl("readonly")), { reconnectTimeoutS: 30 });
      // Stock driver: a rejected socket left the client's only connection in `connecting`, and the next query waited forever.
      for (let i = 0; i < 3; i++) {
        expect(
          await settle(
            pool.run(({ sql }) => sql`select 1`),
            3000,
          ),
        ).toMatchObject({ status: "error", error: { reason: "unavailable" } });
      }
      await proxy.accept();
      expect(await healthy(pool)).toBe(true);
      expect(
        await settle(
          pool.run(({ sql }) => sql`select 1 as ok`),
          3000,
        ),
      ).toMatchObject({ status: "ok", value: [{ ok: 1 }] });
      expect(pool.stats()).toMatchObject({ inUse: 0, connected: 1 });
    } finally {
      proxy.close();
    }
  });

  it("a unit whose connection the server closes fails, every later statement of it fails at once, and the next unit gets a new backend", async () => {
    const pool = open(db.roleUrl("readonly"));
    const first = await pid(pool);
    const outcome = await settle(
      pool.run(async ({ sql }) => {
        await db.owner`select pg_terminate_backend(${first})`;
        await sleep(100);
        // Stock driver: a statement after the close reconnected on its own (a new session mid-unit, its
        // transaction and settings gone) or, with the reconnect refused, never settled.
        await sql`select 1`.catch(() => {});
        await sql`select 2`;
      }),
      3000,
    );
    expect(outcome).toMatchObject({ status: "error", error: { reason: "unavailable" } });
    expect(await healthy(pool)).toBe(true);
    const next = await settle(pid(pool), 3000);
    expect(next.status).toBe("ok");
    expect((next as { value: number }).value).not.toBe(first);
  });

  it("the error a killed backend sent last does not fail the next unit", async () => {
    const pool = open(db.roleUrl("readonly"));
    const first = await pid(pool);
    const running = settle(
      pool.run(({ sql }) => sql`select pg_sleep(3)`),
      5000,
    );
    await sleep(100);
    await db.owner`select pg_terminate_backend(${first})`;
    expect((await running).status).toBe("error");
    expect(await healthy(pool)).toBe(true);
    // Stock driver, same client: the server's 57P01 outlived the session and failed (or hung) the next request.
    expect(
      await settle(
        pool.run(({ sql }) => sql`select 1 as ok`),
        3000,
      ),
    ).toMatchObject({ status: "ok", value: [{ ok: 1 }] });
  });

  it("a connection cut by the network mid-statement fails its unit, and the pool goes on", async () => {
    const proxy = await OutageProxy.start(db.url);
    try {
      const pool = open(proxy.url(db.roleUrl("readonly")), { size: 2 });
      await pool.run(({ sql }) => sql`select 1`);
      const running = settle(
        pool.run(({ sql }) => sql`select pg_sleep(2)`),
        4000,
      );
      await sleep(100);
      proxy.hangUp();
      expect(await running).toMatchObject({ status: "error", error: { reason: "unavailable" } });
      expect(await healthy(pool)).toBe(true);
      const answers = await Promise.all(
        Array.from({ length: 4 }, (_, i) =>
          settle(
            pool.run(({ sql }) => sql`select ${i}::int as i`),
            3000,
          ),
        ),
      );
      expect(answers.map((a) => a.status)).toEqual(["ok", "ok", "ok", "ok"]);
      expect(pool.stats()).toMatchObject({ inUse: 0 });
      expect(pool.stats().connected).toBeLessThanOrEqual(2);
    } finally {
      proxy.close();
    }
  });
});
