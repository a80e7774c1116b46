import net from "node:net";

/**
 * Counts what postgres.js does not report: connections opened, failed and
 * lost. It does so by handing postgres.js the sockets itself (its `socket`
 * option), so every connect attempt and every close passes through here.
 */
export interface ConnectionCounters {
  open: number;
  opened: number;
  failed: number;
  /** Closed by the server or the network while we still wanted them (restart, terminate, reset). */
  lost: number;
  /** Closed by us: idle timeout, lifetime, shutdown. */
  closed: number;
  connectMsTotal: number;
  lastError: string | null;
}

interface SocketOptions {
  host: string[];
  port: number[];
  connect_timeout?: number;
}

export class ConnectionTracker {
  readonly counters: ConnectionCounters = {
    open: 0,
    opened: 0,
    failed: 0,
    lost: 0,
    closed: 0,
    connectMsTotal: 0,
    lastError: null,
  };

  constructor(private readonly onLost: (error: Error) => void = () => {}) {}

  /**
   * The `socket` option for postgres.js. It rejects when the connect fails;
   * unpatched postgres.js 3.4.x then loses that connection for good (see
   * scripts/patch-postgres.mjs, fix 1).
   */
  readonly socketFactory = (options: SocketOptions): Promise<net.Socket> => {
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
        this.counters.opened++;
        this.counters.open++;
        this.counters.connectMsTotal += performance.now() - started;
        this.watch(socket);
        resolve(socket);
      });
    });
  };

  private watch(socket: net.Socket): void {
    let lostError: Error | null = null;
    // The peer hung up while our side had not said goodbye: the server went away.
    socket.on("end", () => {
      if (!socket.writableEnded) lostError ??= new Error("the server closed the connection");
    });
    socket.on("error", (error) => {
      lostError ??= error;
    });
    socket.once("close", () => {
      this.counters.open--;
      if (lostError) {
        this.counters.lost++;
        this.counters.lastError = lostError.message;
        this.onLost(lostError);
      } else {
        this.counters.closed++;
      }
    });
  }
}
