import "server-only";
import postgres, { type Sql } from "postgres";
import { drizzle, type PostgresJsDatabase } from "drizzle-orm/postgres-js";
import type { ConnectionTracker, SocketOptions, TrackedConnection } from "@/lib/db/pool/connection-tracker";
import { tlsFromUrl } from "@/lib/db/pool/tls";
import type { DiscardCounters } from "@/lib/db/pool/types";

/**
 * One place in the pool, holding at most one database connection: a postgres.js client of
 * its own with `max: 1`. The pool never uses postgres.js's connection sharing, `reserve()` or
 * its reconnect: a slot's client talks over exactly one socket, and when that socket is gone
 * the client is thrown away and the next unit gets a new one. That is what makes "a connection
 * goes back clean or not at all" checkable: the slot can read its one connection's state
 * (wire-state.ts), and a destroyed connection is closed before its slot opens another, so a
 * role never has more backends than slots.
 */
export type Verdict = "clean" | keyof DiscardCounters | "direct";

export interface ClientSettings {
  url: string;
  connectTimeoutS: number;
  /** Named prepared statements; off behind a transaction-mode pooler. */
  prepare: boolean;
  applicationName: string;
}

/** Terminate ('X'): tells the backend to exit now, whatever it was doing. */
const TERMINATE = Buffer.from([0x58, 0, 0, 0, 4]);

/**
 * How long a cancelled statement may take to end before its connection is cut. A backend acts
 * on a CancelRequest (and on its own statement_timeout) only between rows: one busy writing a
 * huge row to the socket finishes the row first — `select repeat('x', 900000000)` went on for
 * 7–20 s past its timeout while Node read 900 MB. Cutting the socket ends the write: the
 * backend's next send fails and it exits.
 */
export const CANCEL_GRACE_MS = 1000;

/** What Slot.limitRowBytes() hands its unit. */
export interface RowByteLimit {
  /** Starts the count again (at each batch of rows). */
  reset(): void;
}

export class Slot {
  private client: Sql | null = null;
  private database: PostgresJsDatabase | null = null;
  private connection: TrackedConnection | null = null;
  /** The pool's generation when this client was made: older ones are stale (outage, switch of target). */
  generation = -1;
  connectedAt = 0;
  idleSince = 0;
  /** Set by Unit.cancel() or an aborted signal; the connection is destroyed when the unit ends. */
  cancelled = false;
  /** The wire's event count when a cancel was last sent: one cancel per statement in flight. */
  private cancelledAt = -1;
  /** The wire as the unit left it (see endOfUnit()): idle then, and its event count (-1: no wire). */
  private idleAtEnd = false;
  private eventsAtEnd = -1;

  constructor(private readonly tracker: ConnectionTracker) {}

  get hasClient(): boolean {
    return this.client !== null;
  }

  /** A live connection (possibly busy). */
  get connected(): boolean {
    return this.connection !== null && !this.connection.isClosed();
  }

  get sql(): Sql {
    if (!this.client) throw new Error("slot has no client");
    return this.client;
  }

  get db(): PostgresJsDatabase {
    this.database ??= drizzle(this.sql);
    return this.database;
  }

  /** A new client for this slot; the previous one must have been discarded. */
  open(settings: ClientSettings, generation: number): void {
    if (this.client) throw new Error("slot already has a client");
    // TLS is negotiated in our socket factory, so that the pool can read the protocol (tls.ts).
    const tls = tlsFromUrl(settings.url);
    let used = false;
    let own: TrackedConnection | null = null;
    const connect = (options: SocketOptions) => {
      // One socket per client: postgres.js must not reconnect on its own. A client whose
      // connection closed is discarded by the pool before its next unit (see verdict()).
      if (used)
        return Promise.reject(Object.assign(new Error("this pooled connection closed; the pool opens a new one"), { code: "CONNECTION_CLOSED" }));
      used = true;
      return this.tracker.connect(options, tls.mode).then((connection) => {
        this.connection = own = connection;
        this.connectedAt = Date.now();
        // The moment the socket is gone the client is ended, so that a query the unit still
        // sends fails at once (CONNECTION_ENDED) instead of making postgres.js reconnect.
        void connection.closed.then(() => client.end({ timeout: 0 }).catch(() => {}));
        return connection.socket;
      });
    };
    const client = postgres(tls.url, {
      ssl: false,
      max: 1,
      // The pool closes idle and old connections itself (and so knows when they are gone).
      idle_timeout: 0,
      max_lifetime: 0,
      connect_timeout: settings.connectTimeoutS,
      // Without this postgres.js queues a query behind a busy connection's slow one.
      max_pipeline: 0,
      prepare: settings.prepare,
      connection: { application_name: settings.applicationName },
      socket: connect,
      // No array-type lookup on connect: nothing reads postgres.js-parsed arrays (results are
      // raw text or Drizzle rows without arrays), and that internal query is the one a
      // connection killed during its startup would fail with nobody to catch it.
      fetch_types: false,
      onnotice: () => {},
    } as postgres.Options<Record<string, postgres.PostgresType>>);
    // The one synchronous sign that postgres.js holds bytes it has not written yet: 3.4.9
    // (driver-check.ts) reads its `debug` option each time it stages a statement in its write
    // buffer (build() in connection.js) and each time it fails one (queryError(): an execute()
    // that threw has staged a Sync). The getter tells the wire state and keeps the option off.
    Object.defineProperty(client.options, "debug", {
      get: () => {
        if (own) own.wire.driverMayHoldBytes = true;
        return false;
      },
    });
    this.client = client;
    this.generation = generation;
    this.cancelled = false;
  }

  /** Whether postgres.js may still write something on this connection (see open()). */
  get driverMayHoldBytes(): boolean {
    return this.connection?.wire.driverMayHoldBytes ?? false;
  }

  /**
   * Stops what runs on the connection, for a unit that is being cancelled: a CancelRequest while
   * a statement is in flight (again for a later statement, never twice for one); when nothing is
   * in flight, the client is ended, so that a statement the unit still sends fails at once
   * instead of running for nobody. Either way the connection is destroyed when the unit ends.
   */
  cancel(): void {
    this.cancelled = true;
    const connection = this.connection;
    if (!connection || connection.isClosed()) return;
    if (connection.wire.busy) {
      if (this.cancelledAt === connection.wire.events) return;
      this.cancelledAt = connection.wire.events;
      void this.tracker.sendCancel(connection);
      // The connection is destroyed once the unit ends anyway; if the statement does not end
      // within the grace period, it is cut rather than waited for.
      setTimeout(() => {
        if (this.connection === connection && !connection.isClosed() && connection.wire.busy) connection.socket.destroy();
      }, CANCEL_GRACE_MS).unref();
    } else if (!connection.wire.opaque) {
      void this.client?.end({ timeout: 0 }).catch(() => {});
    }
  }

  /**
   * Notes the wire as the unit left it, synchronously as it ends: the verdict then requires the
   * connection to have been idle at that moment and nothing to have happened since (a
   * ReadyForQuery arriving later answers a statement the unit left in flight, and a write later
   * is a statement it left queued in postgres.js).
   */
  /**
   * Bounds the row data the server may send this unit between two `reset()`s: past `maxBytes`
   * the connection is cut at once (the unit is cancelled and its statement fails), so a result
   * can never fill memory faster than the unit can look at it — a single 900 MB value included.
   * Nothing to count on an opaque (TLS-by-driver) connection. Cleared when the unit ends.
   */
  limitRowBytes(maxBytes: number, exceeded: () => void): RowByteLimit {
    const connection = this.connection;
    if (!connection || connection.wire.opaque) return { reset: () => {} };
    connection.wire.limitRowBytes(maxBytes, () => {
      this.cancelled = true;
      connection.socket.destroy();
      exceeded();
    });
    return { reset: () => connection.wire.resetRowBytes() };
  }

  endOfUnit(): void {
    const wire = this.connection?.wire;
    wire?.clearRowLimit();
    this.idleAtEnd = wire?.idle ?? false;
    this.eventsAtEnd = wire?.events ?? -1;
  }

  /**
   * Whether this slot's connection may serve the next unit, given how the unit ended:
   * "ok", "server-error" (it failed on an error the server sent: the statement ended, the
   * session is as it was) or "failed" (anything else: our code threw, maybe mid-result or
   * holding session state it meant to undo). Call it once postgres.js holds nothing unwritten
   * for the connection (driverMayHoldBytes): a turn of the event loop after the unit ended
   * when it may, so that whatever the unit left in its write buffer shows up on the wire.
   */
  verdict(ended: "ok" | "server-error" | "failed", currentGeneration: number, maxLifetimeS: number, direct: boolean): Verdict {
    if (direct) return "direct";
    if (this.cancelled) return "cancelled";
    if (this.generation !== currentGeneration) return "stale";
    if (ended === "failed") return "dirty";
    const connection = this.connection;
    if (!connection) return "clean";
    if (connection.isClosed()) return "dirty";
    // TLS hides the bytes: only a unit that succeeded is trusted to have left it idle.
    if (connection.wire.opaque) return ended === "ok" ? this.aged(maxLifetimeS) : "dirty";
    if (!connection.wire.idle || !this.idleAtEnd || this.eventsAtEnd !== connection.wire.events) return "dirty";
    return this.aged(maxLifetimeS);
  }

  private aged(maxLifetimeS: number): Verdict {
    return maxLifetimeS > 0 && Date.now() - this.connectedAt > maxLifetimeS * 1000 ? "idle" : "clean";
  }

  /**
   * Closes the connection and forgets the client. A statement still in flight is cancelled
   * first — safe, as nothing else will ever run on this connection — then the backend is told
   * to exit and the socket is ended. Resolves once the socket has closed (cut after
   * `timeoutS`): only then may the slot open another connection. Returns whether it was cut.
   */
  async discard(timeoutS: number): Promise<boolean> {
    const client = this.client;
    const connection = this.connection;
    this.client = null;
    this.database = null;
    this.connection = null;
    this.cancelled = false;
    this.cancelledAt = -1;
    this.idleAtEnd = false;
    this.eventsAtEnd = -1;
    let forced = false;
    if (connection && !connection.isClosed()) {
      if (connection.wire.busy) await this.tracker.sendCancel(connection);
      // Past postgres.js: its end() would wait for a cursor nobody reads any more. The backend
      // exits on Terminate, or on the end of the stream if it is mid-message.
      if (!connection.socket.writableEnded) connection.socket.end(TERMINATE);
      let timer: NodeJS.Timeout | undefined;
      const cut = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), timeoutS * 1000)));
      forced = await Promise.race([connection.closed.then(() => false), cut]);
      clearTimeout(timer);
      if (forced) {
        connection.socket.destroy();
        // A destroyed socket closes at once; the bound is for a socket that lost its listeners.
        await Promise.race([connection.closed, new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
      }
    }
    // Frees postgres.js's own state; its queries still pending fail with CONNECTION_CLOSED.
    if (client) await client.end({ timeout: 0 }).catch(() => {});
    return forced;
  }
}
