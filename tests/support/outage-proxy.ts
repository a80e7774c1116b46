import net from "node:net";
import { freePort } from "@/lib/db/embedded";

/**
 * A TCP proxy in front of the test Postgres that can play the server going
 * away without restarting the shared one: refuse() closes the listener, so
 * connect attempts get ECONNREFUSED as from a stopped server; hangUp() closes
 * every proxied connection; accept() listens again on the same port.
 */
export class OutageProxy {
  private server: net.Server | null = null;
  private readonly sockets = new Set<net.Socket>();

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
        const upstream = net.connect(this.target.port, this.target.host);
        const both = [client, upstream];
        for (const socket of both) {
          this.sockets.add(socket);
          socket.on("close", () => this.sockets.delete(socket));
          socket.on("error", () => both.forEach((s) => s.destroy()));
        }
        client.pipe(upstream);
        upstream.pipe(client);
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
