import type net from "node:net";
import postgres, { type Sql } from "postgres";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ConnectionTracker } from "@/lib/db/pool/connection-tracker";
import { isConnectionLevelError } from "@/lib/db/pool/connection-errors";
import { createTestDatabase, type TestDatabase } from "../../support/database";
import { OutageProxy } from "./outage-proxy";

/**
 * postgres.js as the role pools use it (sql.reserve(), a custom socket factory
 * that rejects when the server is unreachable), with scripts/patch-postgres.mjs
 * applied. Each case is one defect the patch fixes; unpatched, each one hangs,
 * times out, fails a healthy request or throws an uncaught TypeError.
 */
let db: TestDatabase;
const clients: Sql[] = [];

beforeAll(async () => {
  db = await createTestDatabase("driver");
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.end({ timeout: 0 }).catch(() => {})));
});
afterAll(async () => {
  await db.drop();
});

function client(url: string, options: postgres.Options<Record<string, postgres.PostgresType>> = {}): Sql {
  const sql = postgres(url, {
    max: 1,
    max_pipeline: 0,
    connect_timeout: 2,
    backoff: () => 0,
    socket: new ConnectionTracker().socketFactory,
    onnotice: () => {},
    ...options,
  } as postgres.Options<Record<string, postgres.PostgresType>>);
  clients.push(sql);
  return sql;
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

async function backendPid(sql: Sql | postgres.ReservedSql): Promise<number> {
  const [row] = await sql<{ pid: number }[]>`select pg_backend_pid() as pid`;
  return row!.pid;
}

describe("postgres.js with scripts/patch-postgres.mjs", () => {
  it("a failed connect attempt costs the client no connection", async () => {
    const proxy = await OutageProxy.start(db.url);
    try {
      proxy.refuse();
      const sql = client(proxy.url(db.roleUrl("readonly")));
      // Unpatched, the first failure left the only connection stuck in `connecting`: the second query waited forever.
      for (let i = 0; i < 3; i++) {
        const outcome = await settle(sql`select 1`, 2000);
        expect(outcome).toMatchObject({ status: "error", error: { code: "ECONNREFUSED" } });
      }
      await proxy.accept();
      expect(await settle(sql`select 1 as ok`, 2000)).toMatchObject({ status: "ok", value: [{ ok: 1 }] });
    } finally {
      proxy.close();
    }
  });

  it("a failed reserve() leaves nothing behind that could take the next connection", async () => {
    const proxy = await OutageProxy.start(db.url);
    try {
      proxy.refuse();
      const sql = client(proxy.url(db.roleUrl("readonly")));
      for (let i = 0; i < 2; i++) expect(await settle(sql.reserve(), 2000)).toMatchObject({ status: "error", error: { code: "ECONNREFUSED" } });
      await proxy.accept();
      // Unpatched, the failed requests stayed queued: the connection opened for this one was handed to them, and lost.
      const next = await settle(sql.reserve(), 2000);
      expect(next.status).toBe("ok");
      const reserved = (next as { value: postgres.ReservedSql }).value;
      expect(await settle(reserved`select 1 as ok`, 2000)).toMatchObject({ status: "ok", value: [{ ok: 1 }] });
      reserved.release();
    } finally {
      proxy.close();
    }
  });

  it("releasing a reservation the server closed gives nothing back, and the unit waiting next gets a working connection", async () => {
    const sql = client(db.roleUrl("readonly"));
    const first = await sql.reserve();
    const pid = await backendPid(first);
    // The only connection is taken: this one waits, and postgres.js reconnects for it once the first closes.
    const waiting = settle(sql.reserve(), 5000);
    await db.owner`select pg_terminate_backend(${pid})`;
    const dead = await settle(first`select 1`, 2000);
    expect(dead.status).toBe("error");
    expect(isConnectionLevelError((dead as { error: unknown }).error)).toBe(true);
    first.release();
    let thirdResolved = false;
    const third = sql.reserve().then((r) => ((thirdResolved = true), r));

    // Unpatched: the waiting request was dropped (hung), or got the connection while release() had
    // also put it back as open (two holders), or its first query never settled.
    const second = await waiting;
    expect(second.status).toBe("ok");
    const secondSql = (second as { value: postgres.ReservedSql }).value;
    // A working connection, or, when postgres.js handed over the connection while its socket was
    // still closing, a clean connection error: never a hang.
    const query = await settle(secondSql`select 2 as x`, 2000);
    expect(query.status).not.toBe("hung");
    if (query.status === "ok") {
      await sleep(100);
      expect(thirdResolved).toBe(false); // max: 1, and the second still holds its working connection
    } else {
      // Its connection is gone, so the third may get a new one at once.
      expect(isConnectionLevelError((query as { error: unknown }).error)).toBe(true);
    }
    secondSql.release();
    const last = await settle(third, 3000);
    expect(last.status).toBe("ok");
    const reserved = (last as { value: postgres.ReservedSql }).value;
    expect(await settle(backendPid(reserved), 2000)).toMatchObject({ status: "ok" });
    expect(await backendPid(reserved)).not.toBe(pid);
    // A released handle must not reach the connection (now someone else's, or closed).
    await expect(first`select 3`).rejects.toMatchObject({ code: "CONNECTION_CLOSED" });
    reserved.release();
  });

  it("a write pending when the socket closes does not wedge the next connection", async () => {
    let socket: net.Socket | null = null;
    let closeOnNextQuery = false;
    const tracker = new ConnectionTracker();
    const sql = client(db.roleUrl("readonly"), {
      socket: async (options: Parameters<typeof tracker.socketFactory>[0]) => (socket = await tracker.socketFactory(options)),
      // Called while the query is being written, before the write is flushed (postgres.js flushes in a setImmediate).
      debug: () => {
        if (!closeOnNextQuery) return;
        closeOnNextQuery = false;
        const doomed = socket!;
        // The close is seen before the pending write runs, as when several sockets close in one event loop turn.
        process.nextTick(() => {
          doomed.emit("close", false);
          doomed.destroy();
        });
      },
    } as postgres.Options<Record<string, postgres.PostgresType>>);
    await sql`select 1`;
    closeOnNextQuery = true;
    expect(await settle(sql`select 1`, 2000)).toMatchObject({ status: "error", error: { code: "CONNECTION_CLOSED" } });
    // Unpatched, the startup message was appended to the dead session's unsent bytes and never sent: CONNECT_TIMEOUT after 2 s.
    const started = performance.now();
    expect(await settle(sql`select 2 as x`, 3000)).toMatchObject({ status: "ok", value: [{ x: 2 }] });
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it("the error a killed backend sent last does not fail the first request on the next connection", async () => {
    const sql = client(db.roleUrl("readonly"));
    const first = await sql.reserve();
    const pid = await backendPid(first);
    const running = settle(first`select pg_sleep(3)`, 5000);
    await sleep(100);
    await db.owner`select pg_terminate_backend(${pid})`;
    const killed = await running;
    expect(killed.status).toBe("error");
    first.release();
    // Unpatched, the server's 57P01 "terminating connection" outlived the session and failed this reservation (or hung its query).
    const next = await settle(sql.reserve(), 3000);
    expect(next.status).toBe("ok");
    const reserved = (next as { value: postgres.ReservedSql }).value;
    expect(await settle(reserved`select 1 as ok`, 2000)).toMatchObject({ status: "ok", value: [{ ok: 1 }] });
    reserved.release();
  });
});
