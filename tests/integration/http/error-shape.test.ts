import net from "node:net";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { closePools } from "@/lib/db/clients";
import { startAppServer, type AppServer } from "@/tests/support/app-server";
import { createToken, createUser, signIn, useAppEnvironment } from "@/tests/support/auth";
import { createTestDatabase, type TestDatabase } from "@/tests/support/database";
import { callServerAction } from "@/tests/support/server-action";

/**
 * Every answer in the one error shape (issue 13, item 6), sent as raw HTTP where a fetch client
 * would refuse or repair the request: unknown API paths, methods a route does not have, TRACE,
 * oversized headers, malformed percent-encoding, a non-ASCII callbackUrl, server actions from a
 * foreign or missing Origin, and a forged X-Forwarded-Host.
 */
let db: TestDatabase;
let app: AppServer;
let token: string;
let cookie: string;

beforeAll(async () => {
  db = await createTestDatabase("error_shape");
  const vars = db.envVars({ REDIS_URL: inject("redisUrl"), RATE_LIMIT_SIGN_IN_IP_LIMIT: "1000" });
  useAppEnvironment(vars);
  app = await startAppServer(vars);
  const user = await createUser(db, { role: "analyst" });
  token = (await createToken(user, { scopes: ["tables:read", "sql:run", "queries:run"] })).token;
  cookie = await signIn(app.url, user.email, user.password);
}, 60_000);
afterAll(async () => {
  await app?.stop();
  await closePools(1);
  await db?.drop();
});

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** One request exactly as written, over a socket of its own; the answer as the server sent it. */
function raw(request: string): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(app.port, "127.0.0.1");
    let data = "";
    socket.setEncoding("latin1");
    socket.on("data", (chunk: string) => (data += chunk));
    socket.on("error", reject);
    socket.on("close", () => {
      const split = data.indexOf("\r\n\r\n");
      const [statusLine = "", ...lines] = data.slice(0, split).split("\r\n");
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const at = line.indexOf(":");
        headers[line.slice(0, at).trim().toLowerCase()] = line.slice(at + 1).trim();
      }
      let body = data.slice(split + 4);
      if (headers["transfer-encoding"] === "chunked") body = unchunk(body);
      resolve({ status: Number(statusLine.split(" ")[1]), headers, body });
    });
    socket.write(request);
  });
}

function unchunk(body: string): string {
  let out = "";
  for (let at = 0; ;) {
    const eol = body.indexOf("\r\n", at);
    const size = parseInt(body.slice(at, eol), 16);
    if (!size) return out;
    out += body.slice(eol + 2, eol + 2 + size);
    at = eol + 2 + size + 2;
  }
}

const get = (path: string, headers: string[] = [], method = "GET") =>
  raw([`${method} ${path} HTTP/1.1`, "Host: 127.0.0.1", "Connection: close", ...headers, "", ""].join("\r\n"));

function expectShape(response: RawResponse, status: number, code: string) {
  expect(response.status).toBe(status);
  expect(response.headers["content-type"]).toMatch(/^application\/json/);
  const body = JSON.parse(response.body) as { error: { code: string; message: string } };
  expect(body.error.code).toBe(code);
  expect(typeof body.error.message).toBe("string");
  expect(response.body).not.toMatch(/at .*\.js:\d+/);
}

describe("the one error shape, before and around Next", () => {
  it("unknown /api paths are a 404 in the shape, signed in or not; known ones answer (control)", async () => {
    expectShape(await get("/api/nope"), 404, "not_found");
    expectShape(await get("/api/v1/nope", [`Authorization: Bearer ${token}`]), 404, "not_found");
    expectShape(await get("/api/v1/queries/x/results/extra", [`Authorization: Bearer ${token}`]), 404, "not_found");
    expect((await get("/api/v1/me", [`Authorization: Bearer ${token}`])).status).toBe(200);
  });

  it("a next-auth action it does not serve is a 404 or a 405 in the shape, not its plain-text 400 (found by the fuzz suite)", async () => {
    expect((await get("/api/auth/csrf")).status).toBe(200); // control: an action next-auth serves
    expectShape(await get("/api/auth/tables/data.orders/admin/x"), 404, "not_found");
    const head = await get("/api/auth/session", [], "HEAD");
    expect(head.status).toBe(405);
    expect(head.headers.allow).toBe("GET, OPTIONS, POST");
    const log = await get("/api/auth/_log");
    expectShape(log, 405, "method_not_allowed");
    expect(log.headers.allow).toBe("OPTIONS, POST");
  });

  it("a method the route does not have is a 405 with Allow", async () => {
    const response = await get("/api/v1/sql", [`Authorization: Bearer ${token}`], "DELETE");
    expectShape(response, 405, "method_not_allowed");
    expect(response.headers.allow).toBe("OPTIONS, POST");
    const me = await get("/api/v1/me", [`Authorization: Bearer ${token}`, "Content-Length: 0"], "PUT");
    expectShape(me, 405, "method_not_allowed");
    expect(me.headers.allow).toBe("GET, HEAD, OPTIONS");
  });

  it("TRACE (and any method the server does not serve) is a 405 in the shape, never a stack trace", async () => {
    for (const path of ["/", "/api/v1/me", "/explore"]) {
      const response = await get(path, [], "TRACE");
      expectShape(response, 405, "method_not_allowed");
      expect(response.headers.allow).toBe("GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS");
    }
  });

  it("CONNECT, which Node hands past Next, is a 405 in the shape too", async () => {
    const response = await raw("CONNECT 127.0.0.1:5432 HTTP/1.1\r\nHost: 127.0.0.1:5432\r\n\r\n");
    expectShape(response, 405, "method_not_allowed");
  });

  it("a next-auth POST that says JSON but is not a JSON object is a 400 in the shape (found by the fuzz suite)", async () => {
    for (const body of ["zF%#&", "", "[1]"]) {
      const response = await raw(
        [
          "POST /api/auth/callback/credentials HTTP/1.1",
          "Host: 127.0.0.1",
          "Connection: close",
          "Content-Type: application/json",
          `Content-Length: ${Buffer.byteLength(body)}`,
          "",
          body,
        ].join("\r\n"),
      );
      expectShape(response, 400, "bad_request");
    }
    // Control: next-auth's own endpoints still answer.
    expect((await get("/api/auth/csrf")).status).toBe(200);
  });

  it("oversized headers are a 431 in the shape; a large but allowed header is served (control)", async () => {
    expectShape(await get("/api/health", [`X-Big: ${"a".repeat(20_000)}`]), 431, "headers_too_large");
    expect((await get("/api/health", [`X-Big: ${"a".repeat(8_000)}`])).status).toBe(200);
  });

  it("a malformed percent-escape in the path is a 400 in the shape", async () => {
    for (const path of ["/api/v1/tables/%ZZ", "/explore/%ZZ", "/%E0%A4%A", "/api/v1/queries/%ZZ/results"]) {
      expectShape(await get(path, [`Authorization: Bearer ${token}`, `Cookie: ${cookie}`]), 400, "bad_request");
    }
    // Control: a well-formed escape reaches the route.
    expect((await get("/api/v1/tables/data.%6Frders?limit=1", [`Authorization: Bearer ${token}`])).status).toBe(200);
  });

  it("a non-ASCII callbackUrl for a signed-in user redirects (encoded), not a 500", async () => {
    const response = await get("/sign-in?callbackUrl=%2Fexplore%2F%C3%BC%E2%9C%93", [`Cookie: ${cookie}`]);
    expect(response.status).toBe(307);
    expect(response.headers.location).toBe("/explore/%C3%BC%E2%9C%93");
  });
});

describe("server actions", () => {
  const revoke = (headers?: Record<string, string | null>) =>
    callServerAction(app.url, {
      page: "/settings/tokens",
      filename: "actions/tokens.ts",
      exportedName: "revokeTokenAction",
      fields: { id: "0123456789abcdef" },
      cookie,
      headers,
    });

  it("run from this site's Origin (control)", async () => {
    const result = await revoke();
    expect(result.status).toBe(200);
    expect(result.result).toMatchObject({ ok: false, code: "not_found" });
  });

  it("are refused with 403 in the shape from a foreign Origin, without one, and with a forged X-Forwarded-Host", async () => {
    const cases: Array<Record<string, string | null>> = [
      { Origin: "http://evil.example" },
      { Origin: null },
      { Origin: "http://evil.example", "X-Forwarded-Host": "evil.example" },
      { Origin: "null" },
    ];
    for (const headers of cases) {
      const result = await revoke(headers);
      expect(result.status, JSON.stringify(headers)).toBe(403);
      expect(JSON.parse(result.body)).toEqual({ error: { code: "forbidden", message: expect.stringMatching(/origin/i) } });
    }
  });
});
