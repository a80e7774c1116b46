import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PoolError, RolePool } from "@/lib/db/pool";
import { freePort } from "@/lib/db/embedded";
import { roleCredentials, roleUrl } from "@/lib/db/roles";
import { createTestDatabase, type TestDatabase } from "@/tests/support/database";
import { poolConfig } from "@/tests/support/pool-config";
import { OutageProxy } from "@/tests/support/outage-proxy";

let db: TestDatabase;
const pools: RolePool[] = [];
const open = (...args: Parameters<typeof poolConfig>) => {
  const pool = new RolePool(poolConfig(...args));
  pools.push(pool);
  return pool;
};

beforeAll(async () => {
  db = await createTestDatabase("pool");
});
afterAll(async () => {
  await Promise.all(pools.map((p) => p.close(1)));
  await db.drop();
});

async function serverView(applicationName: string) {
  const rows = await db.owner<{ state: string | null }[]>`
    select state from pg_stat_activity where application_name = ${applicationName}`;
  return { total: rows.length, idle: rows.filter((r) => r.state === "idle").length };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(check: () => Promise<boolean>, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await sleep(100);
  }
  return false;
}

describe("RolePool against Postgres", () => {
  it("runs as the role and names itself in pg_stat_activity", async () => {
    const pool = open("readonly", db.roleUrl("readonly"));
    const [row] = await pool.run(({ sql }) => sql`select current_user as who, current_setting('application_name') as app`);
    expect(row!.who).toBe(roleCredentials(db.env, "readonly").user);
    expect(row!.app).toBe(pool.stats().applicationName);
  });

  it("keeps `min` connections warm after the ones above it idle out", async () => {
    const pool = open("readonly", db.roleUrl("readonly"), { size: 6, min: 2, maxIdleS: 1 });
    await Promise.all(Array.from({ length: 6 }, () => pool.run(({ sql }) => sql`select pg_sleep(0.2)`)));
    expect((await serverView(pool.stats().applicationName)).total).toBe(6);
    const trimmed = await waitFor(async () => (await serverView(pool.stats().applicationName)).total === 2, 8000);
    expect(trimmed).toBe(true);
    // …and they stay: several idle timeouts later the two are still there.
    await sleep(2500);
    expect(await serverView(pool.stats().applicationName)).toMatchObject({ total: 2, idle: 2 });
    const stats = pool.stats();
    expect(stats.connections.opened).toBe(6);
    expect(stats.connections.closed).toBe(4);
    expect(stats.connections.lost).toBe(0);
  });

  it("never runs more than `size` queries at once and serves the rest FIFO", async () => {
    const pool = open("readonly", db.roleUrl("readonly"), { size: 2, min: 0, maxWaiting: 10 });
    // Start order is what FIFO promises; completion order of equal sleeps is up to the scheduler.
    const started: number[] = [];
    let running = 0;
    let mostAtOnce = 0;
    await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        pool.run(async ({ sql }) => {
          started.push(i);
          mostAtOnce = Math.max(mostAtOnce, ++running);
          try {
            await sql`select pg_sleep(0.05)`;
          } finally {
            running--;
          }
        }),
      ),
    );
    // The first two start on new connections, in whichever order those connect; the queue is FIFO.
    expect([...started.slice(0, 2)].sort()).toEqual([0, 1]);
    expect(started.slice(2)).toEqual([2, 3, 4, 5]);
    expect(mostAtOnce).toBe(2);
    expect(pool.stats()).toMatchObject({ served: 6, queued: 4, inUse: 0 });
  });

  it("a fast query is not stuck behind a slow one (no pipelining onto busy connections)", async () => {
    const pool = open("readonly", db.roleUrl("readonly"), { size: 2, min: 0 });
    const slow = pool.run(({ sql }) => sql`select pg_sleep(1)`);
    await sleep(50);
    const started = performance.now();
    await pool.run(({ sql }) => sql`select 1`);
    expect(performance.now() - started).toBeLessThan(500);
    await slow;
  });

  it("answers saturation with a 503-class error carrying Retry-After, immediately", async () => {
    const pool = open("readonly", db.roleUrl("readonly"), { size: 1, min: 0, maxWaiting: 0 });
    const busy = pool.run(({ sql }) => sql`select pg_sleep(0.5)`);
    await sleep(50);
    const started = performance.now();
    const error = await pool.run(({ sql }) => sql`select 1`).catch((e: unknown) => e);
    expect(performance.now() - started).toBeLessThan(100);
    expect(error).toBeInstanceOf(PoolError);
    expect((error as PoolError).reason).toBe("saturated");
    expect((error as PoolError).retryAfterS).toBeGreaterThan(0);
    await busy;
  });

  it("times out a queued request after the acquire timeout", async () => {
    const pool = open("readonly", db.roleUrl("readonly"), { size: 1, min: 0, maxWaiting: 5, acquireTimeoutMs: 200 });
    const busy = pool.run(({ sql }) => sql`select pg_sleep(1)`);
    await sleep(50);
    const started = performance.now();
    await expect(pool.run(({ sql }) => sql`select 1`)).rejects.toMatchObject({ reason: "timeout" });
    const waited = performance.now() - started;
    expect(waited).toBeGreaterThanOrEqual(190);
    expect(waited).toBeLessThan(700);
    expect(pool.stats().timedOut).toBe(1);
    await busy;
  });

  it("releases the connection when the work fails, and the next unit works", async () => {
    const pool = open("readonly", db.roleUrl("readonly"), { size: 1, min: 0 });
    await expect(pool.run(({ sql }) => sql`select * from no_such_table`)).rejects.toThrow(/does not exist/);
    await expect(pool.run(({ sql }) => sql`select 1 as ok`)).resolves.toEqual([{ ok: 1 }]);
    expect(pool.stats().inUse).toBe(0);
  });

  it("releases the permit of a request aborted while queued", async () => {
    const pool = open("readonly", db.roleUrl("readonly"), { size: 1, min: 0 });
    const busy = pool.run(({ sql }) => sql`select pg_sleep(0.3)`);
    await sleep(30);
    const controller = new AbortController();
    const queued = pool.run(({ sql }) => sql`select 1`, { signal: controller.signal });
    controller.abort();
    await expect(queued).rejects.toMatchObject({ reason: "aborted" });
    await busy;
    expect(pool.stats()).toMatchObject({ inUse: 0, waiting: 0, aborted: 1 });
  });

  it("rolls a failed transaction back and frees the connection", async () => {
    const pool = open("app", db.roleUrl("app"), { size: 1, min: 0 });
    await expect(
      pool.transaction(async ({ sql }) => {
        await sql`insert into app.users (email, password_hash) values ('tx-rollback@example.com', 'x')`;
        throw new Error("changed my mind");
      }),
    ).rejects.toThrow("changed my mind");
    const rows = await pool.run(({ sql }) => sql`select 1 from app.users where email = 'tx-rollback@example.com'`);
    expect(rows).toHaveLength(0);
    const [state] = await pool.run(({ sql }) => sql`select pg_current_xact_id_if_assigned() is null as clean`);
    expect(state!.clean).toBe(true);
  });

  it("fails, never hangs, when the connection dies in the middle of a unit of work", async () => {
    const pool = open("readonly", db.roleUrl("readonly"), { size: 1, min: 0 });
    const started = performance.now();
    const outcome = await pool
      .run(async ({ sql }) => {
        const [{ pid }] = (await sql`select pg_backend_pid() as pid`) as unknown as [{ pid: number }];
        await db.owner`select pg_terminate_backend(${pid})`;
        await new Promise((r) => setTimeout(r, 100));
        await sql`select 1`.catch(() => {});
        // A second statement on the dead connection (a rollback, a cleanup) must fail too.
        await sql`select 2`;
      })
      .then(
        () => "resolved",
        (error: unknown) => (error as { reason?: string }).reason ?? "rejected",
      );
    expect(outcome).toBe("unavailable");
    expect(performance.now() - started).toBeLessThan(3000);
    expect(pool.stats().inUse).toBe(0);
  });

  it("recovers by itself when the server goes away and comes back under load; no unit hangs, no permit is lost", async () => {
    const proxy = await OutageProxy.start(db.url);
    try {
      const pool = open("readonly", proxy.url(db.roleUrl("readonly")), { size: 4, min: 2, maxWaiting: 8, reconnectTimeoutS: 1, connectTimeoutS: 2 });
      const applicationName = pool.stats().applicationName;
      type Outcome = { at: number; result: "ok" | "failed" | "hung" };
      const outcomes: Outcome[] = [];
      const unit = async (): Promise<Outcome["result"]> => {
        let timer: NodeJS.Timeout | undefined;
        const hung = new Promise<"hung">((r) => (timer = setTimeout(() => r("hung"), 5000)));
        const done = pool
          .run(({ sql }) => sql`select 1`)
          .then(
            () => "ok" as const,
            () => "failed" as const,
          );
        const result = await Promise.race([done, hung]);
        clearTimeout(timer);
        return result;
      };
      let loading = true;
      const workers = Array.from({ length: 6 }, async () => {
        while (loading) {
          const at = performance.now();
          const result = await unit();
          outcomes.push({ at, result });
          if (result !== "ok") await sleep(20);
        }
      });
      await sleep(300);

      // The server goes away: new connections are refused, every backend is told to terminate (57P01, then a close).
      proxy.refuse();
      await db.owner`select pg_terminate_backend(pid) from pg_stat_activity where application_name = ${applicationName}`;
      proxy.hangUp();
      await sleep(1500);
      await proxy.accept();
      const back = performance.now();

      // Recovered: ten units in a row succeed. Before the fix a dead connection stayed in the pool (every
      // unit on it failed at once and flipped health back to reconnecting), or sql.reserve() never returned.
      let recoveredMs: number | null = null;
      while (performance.now() - back < 8000) {
        const results = [];
        for (let i = 0; i < 10; i++) results.push(await unit());
        if (results.every((r) => r === "ok")) {
          recoveredMs = performance.now() - back;
          break;
        }
        await sleep(100);
      }
      expect(recoveredMs).not.toBeNull();
      expect(recoveredMs!).toBeLessThan(3000);
      // …and stays recovered: no flapping back to failures under the same load.
      const stableFrom = performance.now();
      await sleep(1000);
      loading = false;
      await Promise.all(workers);

      expect(outcomes.filter((o) => o.result === "hung")).toEqual([]);
      expect(outcomes.filter((o) => o.at >= stableFrom && o.result !== "ok")).toEqual([]);
      expect(outcomes.some((o) => o.result === "failed")).toBe(true); // the outage was seen
      expect(pool.stats()).toMatchObject({ inUse: 0, waiting: 0, health: "healthy" });
    } finally {
      proxy.close();
    }
  });

  it("starts over with fresh clients after an outage, while a unit still running on the old ones finishes", async () => {
    const pool = open("readonly", db.roleUrl("readonly"), { size: 4, min: 1 });
    let oldPid = 0;
    // On the core client (min: 1), alive throughout.
    const long = pool.run(async ({ sql }) => {
      const [row] = await sql<{ pid: number }[]>`select pg_backend_pid() as pid`;
      oldPid = row!.pid;
      await sql`select pg_sleep(0.8)`;
      return "finished";
    });
    await sleep(100);
    // Another unit's connection dies: the pool reconnects (health probe) and retires its clients.
    await expect(
      pool.run(async ({ sql }) => {
        const [{ pid }] = (await sql`select pg_backend_pid() as pid`) as unknown as [{ pid: number }];
        await db.owner`select pg_terminate_backend(${pid})`;
        await sleep(100);
        await sql`select 1`;
      }),
    ).rejects.toMatchObject({ reason: "unavailable" });
    expect(await waitFor(async () => pool.stats().health === "healthy", 3000)).toBe(true);
    // The old unit is not cut short…
    await expect(long).resolves.toBe("finished");
    // …once it is done, its old connection is closed…
    const gone = await waitFor(async () => (await db.owner`select 1 from pg_stat_activity where pid = ${oldPid}`).length === 0, 3000);
    expect(gone).toBe(true);
    // …and new units run on new connections (a kept core client would hand out oldPid again).
    const [fresh] = await pool.run(({ sql }) => sql<{ pid: number }[]>`select pg_backend_pid() as pid`);
    expect(fresh!.pid).not.toBe(oldPid);
    expect(pool.stats()).toMatchObject({ inUse: 0, health: "healthy" });
  });

  it("gives Drizzle the same connection", async () => {
    const pool = open("app", db.roleUrl("app"), { size: 1, min: 0 });
    const { sql: raw } = await import("drizzle-orm");
    const rows = await pool.run(({ db: drizzleDb }) => drizzleDb.execute(raw`select current_setting('application_name') as app`));
    expect(rows[0]).toMatchObject({ app: pool.stats().applicationName });
  });

  it("direct mode opens a fresh connection per unit of work and closes it", async () => {
    const pool = open("readonly", db.roleUrl("readonly"), { mode: "direct", size: 2, min: 0 });
    for (let i = 0; i < 3; i++) await pool.run(({ sql }) => sql`select 1`);
    const stats = pool.stats();
    expect(stats.connections.opened).toBe(3);
    await sleep(100);
    expect(pool.stats().connections.open).toBe(0);
  });

  it("falls back to the direct host when the pooler URL is dead, and says so", async () => {
    const deadPort = await freePort();
    const deadPooler = roleUrl(`postgres://x@127.0.0.1:${deadPort}/${db.name}`, roleCredentials(db.env, "readonly"));
    const pool = open("readonly", db.roleUrl("readonly"), { poolerUrl: deadPooler, min: 0 });
    expect(pool.stats()).toMatchObject({ target: "pooler", fallbackToDirect: false });
    const [row] = await pool.run(({ sql }) => sql`select 1 as ok`);
    expect(row!.ok).toBe(1);
    const stats = pool.stats();
    expect(stats).toMatchObject({ target: "direct", fallbackToDirect: true, health: "healthy" });
    expect(stats.connections.failed).toBeGreaterThanOrEqual(1);
    expect(stats.url).not.toContain(String(deadPort));
  });

  it("goes back to the pooler once it answers again after a fallback (a pooler restart)", { timeout: 30_000 }, async () => {
    // The proxy stands in for the pooler: it refuses while "restarting", then listens again.
    const pooler = await OutageProxy.start(db.url);
    try {
      const pool = open("readonly", db.roleUrl("readonly"), { poolerUrl: pooler.url(db.roleUrl("readonly")), min: 0 });
      await pool.run(({ sql }) => sql`select 1`);
      expect(pool.stats()).toMatchObject({ target: "pooler", fallbackToDirect: false });
      pooler.refuse();
      pooler.hangUp();
      await waitFor(async () => {
        await pool.run(({ sql }) => sql`select 1`).catch(() => undefined);
        return pool.stats().fallbackToDirect;
      }, 5000);
      expect(pool.stats()).toMatchObject({ target: "direct", fallbackToDirect: true });
      await pooler.accept();
      // Units keep running; within the retry interval (5 s) one of them finds the pooler again.
      const back = await waitFor(async () => {
        await pool.run(({ sql }) => sql`select 1`);
        return pool.stats().target === "pooler";
      }, 12_000);
      expect(back).toBe(true);
      expect(pool.stats()).toMatchObject({ target: "pooler", fallbackToDirect: false, health: "healthy" });
      // Every connection moves back: after a few units none is left on the direct host.
      for (let i = 0; i < 10; i++) await pool.run(({ sql }) => sql`select 1`);
      expect(pool.stats().connected).toBeLessThanOrEqual(pool.stats().size);
    } finally {
      pooler.close();
    }
  });

  it("reports an unreachable server as 503 quickly, not a hang", async () => {
    const deadPort = await freePort();
    const pool = open("readonly", `postgres://nobody@127.0.0.1:${deadPort}/x`, { min: 0 });
    const started = performance.now();
    await expect(pool.run(({ sql }) => sql`select 1`)).rejects.toMatchObject({ reason: "unavailable" });
    expect(performance.now() - started).toBeLessThan(2000);
    expect(pool.stats().health).toBe("reconnecting");
    // Further requests fail fast while it is down.
    await expect(pool.run(({ sql }) => sql`select 1`)).rejects.toMatchObject({ reason: "unavailable" });
  });
});
