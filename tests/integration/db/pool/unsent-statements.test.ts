import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Sql } from "postgres";
import { RolePool } from "@/lib/db/pool";
import { ConnectionTracker } from "@/lib/db/pool/connection-tracker";
import { Slot } from "@/lib/db/pool/slot";
import { createTestDatabase, type TestDatabase } from "@/tests/support/database";
import { poolConfig } from "@/tests/support/pool-config";

/*
 * Statements a unit leaves behind in postgres.js itself: started but not awaited, queued
 * behind its own statement, or refused by the driver before it was sent (which still leaves a
 * Sync in the driver's write buffer). When the unit ends none of them is on the wire yet —
 * postgres.js writes its buffer a turn of the event loop later — so the wire alone says
 * "idle"; the pool must see them anyway and destroy the connection (slot-set.ts, giveBack).
 *
 * One slot, and the next unit already waiting for it: it gets the connection the moment the
 * first one gives it back, so a connection wrongly judged clean would run the leftover
 * statement ahead of the next unit's own, on the same backend.
 */
let db: TestDatabase;
let freshTimeout = "";
const pools: RolePool[] = [];

beforeAll(async () => {
  db = await createTestDatabase("pool-unsent");
  const [row] = await db.as("readonly")<{ st: string }[]>`select current_setting('statement_timeout') as st`;
  freshTimeout = row!.st;
});
afterAll(async () => {
  await Promise.all(pools.map((p) => p.close(1)));
  await db.drop();
});

function onePool(): RolePool {
  const pool = new RolePool(poolConfig("readonly", db.roleUrl("readonly"), { size: 1, min: 1, maxWaiting: 10 }));
  pools.push(pool);
  return pool;
}

interface Session {
  pid: number;
  st: string;
}

const session = (sql: Sql) => sql<Session[]>`select pg_backend_pid() as pid, current_setting('statement_timeout') as st`.then((rows) => rows[0]!);

/** Runs `leave` on the pool's one connection with the next unit already queued behind it. */
async function leaveThenNext(pool: RolePool, leave: (sql: Sql) => Promise<unknown>) {
  const before = await pool.run(({ sql }) => session(sql));
  const first = pool.run(({ sql }) => leave(sql));
  const next = pool.run(({ sql }) => session(sql));
  await first.catch(() => {});
  return { before, next: await next, stats: pool.stats() };
}

describe("statements a unit leaves in postgres.js when it ends", () => {
  it("control: a unit that awaited everything gives its connection back as it is", async () => {
    const pool = onePool();
    const { before, next, stats } = await leaveThenNext(pool, async (sql) => {
      await sql`set statement_timeout = 4321`;
      await sql`reset statement_timeout`;
    });
    expect(next).toEqual({ pid: before.pid, st: freshTimeout });
    expect(stats.discarded.dirty).toBe(0);
  });

  it("control: a statement the server refused leaves the connection clean", async () => {
    const pool = onePool();
    const { before, next, stats } = await leaveThenNext(pool, async (sql) => {
      await sql`select 1 / 0`.catch(() => {});
    });
    expect(next).toEqual({ pid: before.pid, st: freshTimeout });
    expect(stats.discarded.dirty).toBe(0);
  });

  it("a statement started and not awaited: the connection is destroyed, the next unit gets a fresh one", async () => {
    const pool = onePool();
    const { before, next, stats } = await leaveThenNext(pool, async (sql) => {
      void sql`set statement_timeout = 4321`.execute();
    });
    expect(next.st).toBe(freshTimeout);
    expect(next.pid).not.toBe(before.pid);
    expect(stats.discarded.dirty).toBe(1);
  });

  it("a statement queued behind the unit's own last one: destroyed too", async () => {
    const pool = onePool();
    const { before, next, stats } = await leaveThenNext(pool, async (sql) => {
      const last = sql`select 1`.execute();
      void sql`set statement_timeout = 4321`.execute();
      await last;
    });
    expect(next.st).toBe(freshTimeout);
    expect(next.pid).not.toBe(before.pid);
    expect(stats.discarded.dirty).toBe(1);
  });

  it("a statement the driver refused before sending it (it still buffered a Sync): destroyed", async () => {
    const pool = onePool();
    const { before, next, stats } = await leaveThenNext(pool, async (sql) => {
      const refused = await sql`select ${undefined as unknown as number}`.catch((error: { code?: string }) => error.code);
      expect(refused).toBe("UNDEFINED_VALUE");
    });
    expect(next.st).toBe(freshTimeout);
    expect(next.pid).not.toBe(before.pid);
    expect(stats.discarded.dirty).toBe(1);
  });
});

describe("the slot's sign that postgres.js holds unwritten bytes", () => {
  // The pool takes its extra turn only on this sign: it must come on whenever a statement is
  // staged, and go off once it is written, or every unit would be held a turn longer.
  it("is off once a statement was written and answered, on while one is staged, off again when written", async () => {
    const slot = new Slot(new ConnectionTracker());
    slot.open({ url: db.roleUrl("readonly"), connectTimeoutS: 2, prepare: true, applicationName: "sluice:test:unsent" }, 0);
    try {
      await slot.sql`select 1`;
      expect(slot.driverMayHoldBytes).toBe(false);
      const staged = slot.sql`select 2 as n`.execute();
      await Promise.resolve(); // postgres.js hands a started statement to its connection a microtask later
      await Promise.resolve();
      expect(slot.driverMayHoldBytes).toBe(true);
      await new Promise<void>((resolve) => setImmediate(resolve));
      expect(slot.driverMayHoldBytes).toBe(false);
      expect(await staged).toEqual([{ n: 2 }]);
      expect(slot.driverMayHoldBytes).toBe(false);
    } finally {
      await slot.discard(1);
    }
  });
});
