import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RolePool } from "@/lib/db/pool";
import { createTestDatabase, type TestDatabase } from "@/tests/support/database";
import { OutageProxy } from "@/tests/support/outage-proxy";
import { poolConfig } from "@/tests/support/pool-config";

/*
 * A cancelled statement that does not end within CANCEL_GRACE_MS has its connection cut
 * (lib/db/pool/slot.ts), so the slot comes back instead of waiting for the statement. Here the
 * CancelRequest itself is lost (the proxy in front of Postgres swallows it, as a firewall or a
 * pooler that drops cancels would), so only the cut can free the slot: a pool of one connection
 * must then serve the next unit long before the 30 s statement would have ended. The control
 * lets the CancelRequest through: the statement is cancelled by Postgres and nothing is cut.
 */
let db: TestDatabase;
let proxy: OutageProxy;
const pools: RolePool[] = [];

beforeAll(async () => {
  db = await createTestDatabase("cancel-grace");
  proxy = await OutageProxy.start(db.roleUrl("readonly"));
});
afterAll(async () => {
  await Promise.all(pools.map((p) => p.close(1)));
  proxy.close();
  await db.owner`select pg_terminate_backend(pid) from pg_stat_activity where query like '%pg_sleep(30)%' and pid <> pg_backend_pid()`;
  await db.drop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function sleeping(app: string): Promise<number[]> {
  const rows = await db.owner<{ pid: number }[]>`
    select pid from pg_stat_activity where application_name = ${app} and state = 'active' and query like '%pg_sleep(30)%'`;
  return rows.map((r) => r.pid);
}

async function until(check: () => Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

/** A pool of one connection through the proxy; its unit is stuck in pg_sleep(30) and then aborted. */
async function abortSleepingUnit(label: string) {
  const applicationName = `sluice:test:grace-${label}-${Math.random().toString(36).slice(2, 8)}`;
  // Acquire timeout well above the grace period and far below the statement: only the cut fits.
  const pool = new RolePool(
    poolConfig("readonly", proxy.url(db.roleUrl("readonly")), { size: 1, min: 0, maxWaiting: 1, acquireTimeoutMs: 15_000, applicationName }),
  );
  pools.push(pool);
  const controller = new AbortController();
  const stuck = pool.run((unit) => unit.sql`select pg_sleep(30)`, { signal: controller.signal }).catch((error: unknown) => error);
  await until(async () => (await sleeping(applicationName)).length === 1, "the statement to run");
  const [pid] = await sleeping(applicationName);
  controller.abort();
  await stuck;
  const started = Date.now();
  const [next] = await pool.run((unit) => unit.sql<{ one: number }[]>`select 1 as one`);
  return { pool, pid: pid!, next, waitedMs: Date.now() - started };
}

describe("a cancelled statement past its grace period", () => {
  it("control: with the CancelRequest delivered, Postgres cancels the statement and nothing is cut", async () => {
    proxy.swallowCancels = false;
    const forwardedBefore = proxy.cancels.forwarded;
    const { pool, pid, next } = await abortSleepingUnit("delivered");
    expect(next?.one).toBe(1);
    expect(proxy.cancels.forwarded).toBeGreaterThan(forwardedBefore);
    // The backend ended its statement itself (57014): it is idle or gone, not still sleeping.
    const [row] = await db.owner<{ state: string | null }[]>`select state from pg_stat_activity where pid = ${pid}`;
    expect(row?.state ?? "gone").not.toBe("active");
    expect(pool.stats().discarded.forced).toBe(0);
  });

  it("with the CancelRequest lost, the connection is cut after the grace period and the slot serves the next unit", async () => {
    proxy.swallowCancels = true;
    const swallowedBefore = proxy.cancels.swallowed;
    const { next, waitedMs, pid } = await abortSleepingUnit("lost");
    expect(next?.one).toBe(1);
    expect(proxy.cancels.swallowed).toBeGreaterThan(swallowedBefore);
    // The statement itself is still sleeping in Postgres (the cancel never arrived): the slot came
    // back because its socket was cut, not because the statement ended.
    const [row] = await db.owner<{ state: string | null; query: string }[]>`select state, query from pg_stat_activity where pid = ${pid}`;
    expect(row?.state).toBe("active");
    expect(waitedMs).toBeLessThan(15_000);
    proxy.swallowCancels = false;
  });
});
