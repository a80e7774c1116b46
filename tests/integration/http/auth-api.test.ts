import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { revokeTokenById } from "@/lib/auth/tokens";
import { closePools } from "@/lib/db/clients";
import { closeRedis } from "@/lib/redis/client";
import { startAppServer, type AppServer } from "@/tests/support/app-server";
import { createToken, createUser, useAppEnvironment, type TestUser } from "@/tests/support/auth";
import { createTestDatabase, type TestDatabase } from "@/tests/support/database";

/** Token-authenticated API over the production build, against real Redis and Postgres. */
let db: TestDatabase;
let app: AppServer;
let viewer: TestUser;
let admin: TestUser;

beforeAll(async () => {
  db = await createTestDatabase("auth_api");
  const vars = db.envVars({ REDIS_URL: inject("redisUrl") });
  useAppEnvironment(vars);
  app = await startAppServer(vars);
  viewer = await createUser(db, { role: "viewer" });
  admin = await createUser(db, { role: "admin" });
});
afterAll(async () => {
  await app?.stop();
  await closePools();
  await closeRedis();
  await db?.drop();
});

const get = (path: string, authorization?: string) => fetch(`${app.url}${path}`, { headers: authorization ? { authorization } : {} });

async function expectError(response: Response, status: number, code: string) {
  expect(response.status).toBe(status);
  expect(response.headers.get("content-type")).toMatch(/application\/json/);
  const body = await response.json();
  expect(body).toEqual({ error: expect.objectContaining({ code, message: expect.any(String) }) });
  expect(JSON.stringify(body)).not.toMatch(/at .*\.js:\d+|stack/i);
  return body;
}

describe("GET /api/v1/me with a token", () => {
  it("answers the caller", async () => {
    const { token, meta } = await createToken(viewer, { scopes: ["tables:read"] });
    const response = await get("/api/v1/me", `Bearer ${token}`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      id: viewer.id,
      email: viewer.email,
      role: "viewer",
      scopes: ["tables:read"],
      via: "token",
      tokenId: meta.id,
    });
  });

  it("without credentials: 401 in the error shape", async () => {
    await expectError(await get("/api/v1/me"), 401, "unauthorized");
  });

  it("a revoked token is refused on the next call", async () => {
    const { token, meta } = await createToken(viewer);
    expect((await get("/api/v1/me", `Bearer ${token}`)).status).toBe(200);
    await revokeTokenById(viewer.id, meta.id);
    const body = await expectError(await get("/api/v1/me", `Bearer ${token}`), 401, "unauthorized");
    expect(body.error.message).toMatch(/revoked/);
  });

  it("an expired token is refused", async () => {
    const { token } = await createToken(viewer, { lifetimeMs: 500 });
    expect((await get("/api/v1/me", `Bearer ${token}`)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 800));
    await expectError(await get("/api/v1/me", `Bearer ${token}`), 401, "unauthorized");
  });

  it("malformed Authorization headers: 401 in the error shape", async () => {
    for (const header of ["Bearer", "Basic dXNlcjpwYXNz", "Bearer slc_short", "Bearer not-a-token", "slc_abc", "Bearer slc_a slc_b"]) {
      await expectError(await get("/api/v1/me", header), 401, "unauthorized");
    }
  });
});

describe("admin API", () => {
  it("a token without the admin scope gets 403, even of an admin", async () => {
    const { token } = await createToken(admin, { scopes: ["tables:read"] });
    const body = await expectError(await get("/api/admin/users", `Bearer ${token}`), 403, "forbidden");
    expect(body.error.message).toMatch(/admin/);
  });

  it("a viewer gets 403", async () => {
    const { token } = await createToken(viewer, { scopes: ["tables:read", "queries:run"] });
    await expectError(await get("/api/admin/users", `Bearer ${token}`), 403, "forbidden");
  });

  it("an admin token with the admin scope lists users, never their password hashes", async () => {
    const { token } = await createToken(admin, { scopes: ["admin"] });
    const response = await get("/api/admin/users", `Bearer ${token}`);
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).not.toMatch(/argon2|passwordHash|password_hash/);
    const { users } = JSON.parse(text) as { users: Array<{ email: string; role: string }> };
    expect(users).toEqual(expect.arrayContaining([expect.objectContaining({ email: viewer.email, role: "viewer" })]));
  });
});

describe("request bodies (PATCH /api/admin/users/:id)", () => {
  let token: string;
  const patch = (id: string, body: BodyInit, headers: Record<string, string> = {}) =>
    fetch(`${app.url}/api/admin/users/${id}`, {
      method: "PATCH",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json", ...headers },
      body,
    });

  beforeAll(async () => {
    token = (await createToken(admin, { scopes: ["admin"] })).token;
  });

  it("changes a role", async () => {
    const target = await createUser(db, { role: "viewer" });
    const response = await patch(target.id, JSON.stringify({ role: "analyst" }));
    expect(response.status).toBe(200);
    expect((await response.json()).user).toMatchObject({ id: target.id, role: "analyst" });
  });

  it("oversized (> 1 MiB): 413; garbage: 400; wrong shape: 400 with details", async () => {
    const big = JSON.stringify({ role: "viewer", padding: "x".repeat(1024 * 1024 + 10) });
    await expectError(await patch(viewer.id, big), 413, "payload_too_large");
    await expectError(await patch(viewer.id, "{not json"), 400, "bad_request");
    await expectError(await patch(viewer.id, "role=admin", { "content-type": "application/x-www-form-urlencoded" }), 400, "bad_request");
    const invalid = await expectError(await patch(viewer.id, JSON.stringify({ role: "root" })), 400, "validation_failed");
    expect(invalid.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ path: "role" })]));
    await expectError(await patch("not-a-uuid", JSON.stringify({ role: "viewer" })), 400, "validation_failed");
  });

  it("an oversized body without credentials is refused as 401 before it is read", async () => {
    const response = await fetch(`${app.url}/api/admin/users/${viewer.id}`, {
      method: "PATCH",
      headers: { "content-type": "application/json" },
      body: "x".repeat(2 * 1024 * 1024),
    });
    await expectError(response, 401, "unauthorized");
  });
});
