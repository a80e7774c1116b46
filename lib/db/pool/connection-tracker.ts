import "server-only";
import net from "node:net";
import { negotiateTls, type TlsMode } from "@/lib/db/pool/tls";
import { cancelRequestBytes, isCancelRequest, WireState } from "@/lib/db/pool/wire-state";

/**
 * The sockets under postgres.js. The pool hands postgres.js its sockets (the `socket` option),
 * so every connect attempt and every close passes through here: that is how it counts
 * connections opened, failed and lost (postgres.js reports none of it), and how each
 * connection's WireState reads what the server says (wire-state.ts).
 *
 * A CancelRequest travels on a socket of its own; it is not a database connection and is not
 * counted as one (it used to show up as a "lost connection" every time).
 */
export interface ConnectionCounters {
  open: number;
  opened: number;
  failed: number;
  /** Closed by the server or the network while we still wanted them (restart, terminate, reset). */
  lost: number;
  /** Closed by us: idle timeout, lifetime, discard, shutdown. */
  closed: number;
  connectMsTotal: number;
  /** CancelRequests sent (each on a socket of its own). */
  cancelsSent: number;
  lastError: string | null;
}

export interface SocketOptions {
  host: string[];
  port: number[];
  connect_timeout?: number;
}

/** One database connection as the pool sees it. */
export interface TrackedConnection {
  readonly socket: net.Socket;
  readonly wire: WireState;
  readonly host: string;
  readonly port: number;
  /** Resolves once the socket is closed, whoever closed it. */
  readonly closed: Promise<void>;
  isClosed(): boolean;
  /** Set when the server or the network closed it, not us. */
  lostError(): Error | null;
}

export class ConnectionTracker {
  readonly counters: ConnectionCounters = {
    open: 0,
    opened: 0,
    failed: 0,
    lost: 0,
    closed: 0,
    connectMsTotal: 0,
    cancelsSent: 0,
    lastError: null,
  };

  constructor(private readonly onLost: (error: Error) => void = () => {}) {}

  /**
   * Opens one socket the way postgres.js's `socket` option expects: resolved once connected
   * (and encrypted, when `tlsMode` says so: see tls.ts).
   */
  connect(options: SocketOptions, tlsMode: TlsMode | null = null): Promise<TrackedConnection> {
    const host = options.host[0] ?? "127.0.0.1";
    const port = options.port[0] ?? 5432;
    const timeoutMs = (options.connect_timeout ?? 10) * 1000;
    const started = performance.now();
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host, port });
      const timer = setTimeout(() => fail(Object.assign(new Error(`connect timeout to ${host}:${port}`), { code: "CONNECT_TIMEOUT" })), timeoutMs);
      const fail = (error: Error) => {
        clearTimeout(timer);
        socket.destroy();
        this.counters.failed++;
        this.counters.lastError = error.message;
        reject(error);
      };
      socket.once("error", fail);
      socket.once("connect", () => {
        clearTimeout(timer);
        socket.removeListener("error", fail);
        socket.setNoDelay(true);
        if (!tlsMode) return resolve(this.watch(socket, host, port, started));
        negotiateTls(socket, tlsMode, host, timeoutMs).then(
          (secure) => resolve(this.watch(secure, host, port, started)),
          (error: Error) => {
            this.counters.failed++;
            this.counters.lastError = error.message;
            reject(error);
          },
        );
      });
    });
  }

  /** The plain `socket` option, for clients that need no handle on their connection (probes, direct mode). */
  readonly socketFactory = (options: SocketOptions): Promise<net.Socket> => this.connect(options).then((c) => c.socket);

  /**
   * Asks the server to cancel what `connection` runs. Only the pool calls this, and only for a
   * connection it will destroy afterwards: a cancel that arrives late can then hit nothing else.
   * Resolves when the server has taken the request (it closes the socket), or after `timeoutMs`.
   */
  sendCancel(connection: TrackedConnection, timeoutMs = 1000): Promise<void> {
    const { pid, secret } = connection.wire;
    if (pid === null || secret === null || connection.isClosed()) return Promise.resolve();
    this.counters.cancelsSent++;
    return new Promise((resolve) => {
      const socket = net.connect({ host: connection.host, port: connection.port });
      const timer = setTimeout(() => socket.destroy(), timeoutMs);
      socket.once("connect", () => socket.write(cancelRequestBytes(pid, secret)));
      socket.once("error", () => socket.destroy());
      socket.once("close", () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private watch(socket: net.Socket, host: string, port: number, started: number): TrackedConnection {
    const wire = new WireState();
    let lostError: Error | null = null;
    let isCancel = false;
    let first = true;
    let closed = false;
    let markClosed!: () => void;
    const closedPromise = new Promise<void>((r) => (markClosed = r));

    // Reads what postgres.js writes, before it goes out: the first write tells a cancel socket apart.
    const write = socket.write;
    socket.write = function (this: net.Socket, chunk: Uint8Array | string, ...rest: unknown[]) {
      if (first) {
        first = false;
        isCancel = isCancelRequest(chunk);
        if (!isCancel) {
          counters.opened++;
          counters.open++;
          counters.connectMsTotal += performance.now() - started;
        }
      }
      wire.onWrite(chunk);
      return (write as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
    } as typeof socket.write;
    const counters = this.counters;

    socket.on("data", (chunk: Buffer) => wire.onData(chunk));
    // The peer hung up while our side had not said goodbye: the server went away.
    socket.on("end", () => {
      if (!socket.writableEnded) lostError ??= new Error("the server closed the connection");
    });
    socket.on("error", (error) => {
      lostError ??= error;
    });
    socket.once("close", () => {
      closed = true;
      markClosed();
      if (isCancel || first) return;
      this.counters.open--;
      if (lostError) {
        this.counters.lost++;
        this.counters.lastError = lostError.message;
        this.onLost(lostError);
      } else {
        this.counters.closed++;
      }
    });
    return {
      socket,
      wire,
      host,
      port,
      closed: closedPromise,
      isClosed: () => closed,
      lostError: () => lostError,
    };
  }
}
