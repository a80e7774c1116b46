import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closePools } from "@/lib/db/clients";
import { closeRedis } from "@/lib/redis/client";
import { startAppServer, type AppServer } from "@/tests/support/app-server";
import { createTestDatabase, type TestDatabase } from "@/tests/support/database";
import { createCaller, explorerEnv, type TestCaller } from "@/tests/integration/explore/support/http-auth";

/**
 * The direct API path (lib/server/4-direct-api.ts) at the edges of HTTP, on raw sockets: what a
 * client can put on the wire that fetch() would never send. Each case has its control, the same
 * request in its ordinary form.
 */
const METRICS_TOKEN = "metrics-token-for-the-direct-api-edges-test-0123456789";
let db: TestDatabase;
let app: AppServer;
let caller: TestCaller;

beforeAll(async () => {
  db = await createTestDatabase("direct_api_edges");
  app = await startAppServer(explorerEnv(db, { METRICS_TOKEN }));
  caller = await createCaller(db, "admin", ["tables:read", "admin"]);
  // Next loads the route on its first request; from then on the direct path takes token reads.
  await (await fetch(`${app.url}/api/v1/tables/data.orders?id=eq.1`, { headers: caller.headers })).text();
}, 60_000);
afterAll(async () => {
  await app?.stop();
  await closePools();
  await closeRedis();
  await db?.drop();
});

/** Sends `text` on a socket of its own and reads until the server closes it. */
function exchange(text: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(app.port, "127.0.0.1");
    let received = "";
    socket.on("data", (chunk) => (received += chunk.toString("latin1")));
    socket.on("error", () => {});
    socket.on("close", () => resolve(received));
    socket.write(text);
  });
}

describe("the direct path and the Host header", () => {
  const request = (host: string) =>
    `GET /api/v1/tables/data.orders?id=eq.1&select=id HTTP/1.1\r\nHost: ${host}\r\nAuthorization: Bearer ${caller.token}\r\nConnection: close\r\n\r\n`;

  it.each(["127.0.0.1:99999", "1.2.3.999", "[::::]"])("answers Host: %s as Next does, not with a dropped connection", async (host) => {
    const control = await exchange(request("127.0.0.1"));
    expect(control).toMatch(/^HTTP\/1\.1 200 /);
    expect(control).toContain('[{"id":1}]');
    // Next builds its URL without the Host header and answers this one as any other.
    const odd = await exchange(request(host));
    expect(odd).toMatch(/^HTTP\/1\.1 200 /);
    expect(odd).toContain('[{"id":1}]');
  });
});
