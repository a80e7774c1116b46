import net from "node:net";
import { freePort } from "@/lib/db/embedded";

/**
 * A TCP proxy in front of the test Postgres that can play the server going
 * away without restarting the shared one: refuse() closes the listener, so
 * connect attempts get ECONNREFUSED as from a stopped server; hangUp() closes
 * every proxied connection; accept() listens again on the same port.
 * `swallowCancels` plays a network that loses CancelRequests (a firewall in
 * front of the server, a pooler that drops them): they are counted, not sent.
 */
const CANCEL_REQUEST_CODE = 80877102;

function isCancelRequest(chunk: Buffer): boolean {
  return chunk.length >= 16 && chunk.readInt32BE(0) === 16 && chunk.readInt32BE(4) === CANCEL_REQUEST_CODE;
}

export class OutageProxy {
  private server: net.Server | null = null;
  private readonly sockets = new Set<net.Socket>();
  swallowCancels = false;
  readonly cancels = { forwarded: 0, swallowed: 0 };

  private constructor(
    readonly port: number,
    private readonly target: { host: string; port: number },
  ) {}

  static async start(targetUrl: string): Promise<OutageProxy> {
    const url = new URL(targetUrl);
    const proxy = new OutageProxy(await freePort(), { host: url.hostname, port: Number(url.port || 5432) });
    await proxy.accept();
    return proxy;
  }

  /** `connectionUrl` (same server as the target) through the proxy. */
  url(connectionUrl: string): string {
    const url = new URL(connectionUrl);
    url.hostname = "127.0.0.1";
    url.port = String(this.port);
    return url.toString();
  }

  accept(): Promise<void> {
    if (this.server) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const server = net.createServer((client) => {
        client.on("error", () => client.destroy());
        // The first bytes tell a CancelRequest (a connection of its own) from a session.
        client.once("data", (first: Buffer) => {
          if (isCancelRequest(first)) {
            if (this.swallowCancels) {
              this.cancels.swallowed++;
              client.destroy();
              return;
            }
            this.cancels.forwarded++;
          }
          const upstream = net.connect(this.target.port, this.target.host);
          const both = [client, upstream];
          for (const socket of both) {
            this.sockets.add(socket);
            socket.on("close", () => this.sockets.delete(socket));
            socket.on("error", () => both.forEach((s) => s.destroy()));
          }
          upstream.write(first);
          client.pipe(upstream);
          upstream.pipe(client);
        });
      });
      server.once("error", reject);
      server.listen(this.port, "127.0.0.1", () => {
        this.server = server;
        resolve();
      });
    });
  }

  /** New connections are refused from now on; established ones go on. */
  refuse(): void {
    this.server?.close();
    this.server = null;
  }

  /** Closes every proxied connection (FIN both ways), as a server shutting down does. */
  hangUp(): void {
    for (const socket of this.sockets) socket.end();
  }

  close(): void {
    this.refuse();
    for (const socket of this.sockets) socket.destroy();
  }
}
