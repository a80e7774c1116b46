import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { roleCredentials } from "@/lib/db/roles";
import { closePools } from "@/lib/db/clients";
import { closeRedis } from "@/lib/redis/client";
import { startAppServer, type AppServer } from "@/tests/support/app-server";
import { directRequestCount } from "@/tests/support/direct-requests";
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
  // A download far larger than the socket buffers, so a client that does not read holds it up.
  await db.owner.unsafe(`create table data.wide as select g as id, repeat('x', 300) as pad from generate_series(1, 100000) g`);
  await db.owner.unsafe(`grant select on data.wide to ${roleCredentials(db.env, "readonly").user}`);
  app = await startAppServer(explorerEnv(db, { METRICS_TOKEN, TABLE_ROW_CAP: "1000000" }));
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

const directCount = () => directRequestCount(app.url, METRICS_TOKEN);

async function readonlyInUse(): Promise<number> {
  const response = await fetch(`${app.url}/api/admin/stats`, { headers: caller.headers });
  return ((await response.json()) as { pools: { local: { readonly: { inUse: number } } } }).pools.local.readonly.inUse;
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

describe("the direct path and a client that leaves", () => {
  it("gives back the connection of a pipelined download whose client left before its turn", async () => {
    expect(await readonlyInUse()).toBe(0); // control: nothing held before
    const before = await directCount();
    const download = `GET /api/v1/tables/data.wide HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/csv\r\nAuthorization: Bearer ${caller.token}\r\n\r\n`;
    const socket = net.connect(app.port, "127.0.0.1");
    socket.pause(); // never read: the first answer fills the socket, the second waits its turn
    socket.on("error", () => {});
    socket.write(download + download);
    // Both reached the direct path, each on a pool connection, before the client leaves.
    for (let i = 0; i < 100 && ((await directCount()) < before + 2 || (await readonlyInUse()) < 2); i++) await pause(100);
    expect(await directCount()).toBe(before + 2);
    expect(await readonlyInUse()).toBe(2);
    socket.destroy();
    // A generous bound, not a timing claim: a held connection stays held for good.
    for (let i = 0; i < 100 && (await readonlyInUse()) > 0; i++) await pause(100);
    expect(await readonlyInUse()).toBe(0);
  });
});

describe("Next's path and a pipelined answer whose client left", () => {
  it("gives back the connection too (the route's abort signal fires)", async () => {
    expect(await readonlyInUse()).toBe(0); // control: nothing held before
    const before = await directCount();
    // The cookie leaves both requests to Next's router and proxy.
    const download = `GET /api/v1/tables/data.wide HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/csv\r\nCookie: unrelated=1\r\nAuthorization: Bearer ${caller.token}\r\n\r\n`;
    const socket = net.connect(app.port, "127.0.0.1");
    socket.pause();
    socket.on("error", () => {});
    socket.write(download + download);
    for (let i = 0; i < 100 && (await readonlyInUse()) < 2; i++) await pause(100);
    expect(await readonlyInUse()).toBe(2);
    expect(await directCount()).toBe(before); // control: Next answered them
    socket.destroy();
    for (let i = 0; i < 100 && (await readonlyInUse()) > 0; i++) await pause(100);
    expect(await readonlyInUse()).toBe(0);
  });
});

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("the direct path's refusals in the access log", () => {
  it("logs a 429 the gate answered with the request id the client got", async () => {
    const scraper = `${METRICS_TOKEN}-limited`;
    const limited = await startAppServer(
      explorerEnv(db, { METRICS_TOKEN: scraper, LOG_LEVEL: "info", RATE_LIMIT_API_LIMIT: "2", RATE_LIMIT_API_WINDOW_S: "60" }),
    );
    try {
      const other = await createCaller(db, "viewer", ["tables:read"]);
      const read = () => fetch(`${limited.url}/api/v1/tables/data.orders?id=eq.1`, { headers: other.headers });
      await (await read()).text(); // through Next: it loads the route
      const allowed = await read();
      await allowed.text();
      expect(allowed.status).toBe(200); // control: the direct path's own answer, logged by the route
      const refused = await read();
      await refused.text();
      expect(refused.status).toBe(429);
      const requestId = refused.headers.get("x-request-id");
      expect(requestId).toMatch(/^[\w-]{8,}$/);
      expect(await directRequestCount(limited.url, scraper)).toBe(2); // both went the direct way
      const lines = () =>
        limited
          .output()
          .split("\n")
          .filter((line) => line.includes('"status":429'));
      // The access log writes its line when the response closes, just after the client has it.
      for (let i = 0; i < 50 && lines().length === 0; i++) await pause(100);
      expect(lines().map((line) => (JSON.parse(line) as { requestId?: string }).requestId)).toEqual([requestId]);
    } finally {
      await limited.stop();
    }
  });
});
