import type Redis from "ioredis";
import { beforeAll, describe, expect, it } from "vitest";
import { ApiError } from "@/lib/core/errors";
import { authenticate } from "@/lib/auth/authenticate";
import { hashToken } from "@/lib/auth/token-format";
import { issueToken, withdrawToken } from "@/lib/auth/token-service";
import { listTokens, recordTokenUse, resolveToken, revokeTokenById, revokeTokenByText } from "@/lib/auth/tokens";
import { listAuditEvents } from "@/lib/db/queries/audit";
import { changeRole, setDisabled } from "@/lib/auth/user-admin";
import { keys } from "@/lib/redis/keys";
import { createToken, createUser, libOnTestServices, type TestUser } from "@/tests/support/auth";
import type { TestDatabase } from "@/tests/support/database";

let db: TestDatabase;
let redis: Redis;
let viewer: TestUser;
let analyst: TestUser;

const bearer = (value: string) => new Request("http://sluice.test/api/v1/me", { headers: { authorization: value } });
const rejection = (promise: Promise<unknown>) =>
  promise.then(
    () => null,
    (error: unknown) => error as ApiError,
  );

const services = libOnTestServices("auth_tokens");
beforeAll(async () => {
  ({ db, redis } = services);
  viewer = await createUser(db, { role: "viewer" });
  analyst = await createUser(db, { role: "analyst" });
});

describe("API tokens in Redis", () => {
  it("stores only the SHA-256 → metadata, indexes it per user, and resolves the token to its owner", async () => {
    const { token, meta } = await createToken(analyst, { scopes: ["tables:read", "sql:run"], name: "nightly" });
    const stored = await redis.get(keys.tokenKey(hashToken(token)));
    expect(stored).not.toBeNull();
    expect(stored).not.toContain(token);
    expect(JSON.parse(stored!)).toMatchObject({
      id: meta.id,
      userId: analyst.id,
      name: "nightly",
      scopes: ["tables:read", "sql:run"],
      expiresAt: null,
    });
    expect(await redis.smembers(keys.userTokensKey(analyst.id))).toContain(hashToken(token));
    expect(await redis.pttl(keys.tokenKey(hashToken(token)))).toBe(-1);

    const caller = await authenticate(bearer(`Bearer ${token}`));
    expect(caller).toMatchObject({
      via: "token",
      userId: analyst.id,
      email: analyst.email,
      role: "analyst",
      tokenId: meta.id,
      scopes: ["tables:read", "sql:run"],
    });
    expect((await listTokens(analyst.id)).map((t) => t.id)).toContain(meta.id);
  });

  it("a revoked token is refused on the very next call", async () => {
    const { token, meta } = await createToken(viewer);
    expect(await authenticate(bearer(`Bearer ${token}`))).toMatchObject({ userId: viewer.id });
    expect(await revokeTokenById(viewer.id, meta.id)).toMatchObject({ id: meta.id });
    const error = await rejection(authenticate(bearer(`Bearer ${token}`)));
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 401, message: expect.stringMatching(/revoked/) });
    expect((await listTokens(viewer.id)).map((t) => t.id)).not.toContain(meta.id);
  });

  it("an expired token is refused, and Redis drops it by TTL", async () => {
    const { token } = await createToken(viewer, { lifetimeMs: 400 });
    const ttl = await redis.pttl(keys.tokenKey(hashToken(token)));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(400);
    expect(await authenticate(bearer(`Bearer ${token}`))).not.toBeNull();
    await new Promise((r) => setTimeout(r, 600));
    expect(await rejection(authenticate(bearer(`Bearer ${token}`)))).toMatchObject({ status: 401 });
    expect(await redis.exists(keys.tokenKey(hashToken(token)))).toBe(0);
  });

  it("one user cannot revoke another's token by id", async () => {
    const { token, meta } = await createToken(analyst);
    expect(await revokeTokenById(viewer.id, meta.id)).toBeNull();
    expect(await resolveToken(token)).not.toBeNull();
  });

  it("a user may grant only the scopes their role has", async () => {
    await expect(createToken(viewer, { scopes: ["sql:run"] })).rejects.toMatchObject({ status: 403, message: expect.stringMatching(/sql:run/) });
    await expect(createToken(analyst, { scopes: ["admin"] })).rejects.toMatchObject({ status: 403 });
    await expect(createToken(viewer, { scopes: [] })).rejects.toMatchObject({ status: 400 });
  });

  it("a token never carries more than its owner's current role; a disabled owner's tokens stop — at once, though the owner's state is cached", async () => {
    const user = await createUser(db, { role: "analyst" });
    const { token } = await createToken(user, { scopes: ["tables:read", "sql:run"] });
    expect((await authenticate(bearer(`Bearer ${token}`)))?.scopes).toEqual(["tables:read", "sql:run"]);
    expect(await redis.get(keys.userStateKey(user.id))).toContain('"role":"analyst"');
    const actor = { userId: null, via: "cli" as const, ip: null };
    await changeRole(actor, user.id, "viewer");
    expect((await authenticate(bearer(`Bearer ${token}`)))?.scopes).toEqual(["tables:read"]);
    await setDisabled(actor, user.id, true);
    expect(await rejection(authenticate(bearer(`Bearer ${token}`)))).toMatchObject({ status: 401, message: expect.stringMatching(/disabled/) });
  });

  it("a record that fails validation counts as revoked (fail closed) and is pruned from the index", async () => {
    const { token, meta } = await createToken(viewer, { name: "to corrupt" });
    await redis.set(keys.tokenKey(hashToken(token)), JSON.stringify({ ...meta, scopes: ["everything"] }));
    expect(await rejection(authenticate(bearer(`Bearer ${token}`)))).toMatchObject({ status: 401 });
    expect((await listTokens(viewer.id)).map((t) => t.id)).not.toContain(meta.id);
    expect(await redis.sismember(keys.userTokensKey(viewer.id), hashToken(token))).toBe(0);
  });

  it("records the last use at most once a minute and never brings a revoked token back", async () => {
    const { token, meta } = await createToken(viewer);
    const hash = hashToken(token);
    await recordTokenUse(hash, meta);
    const used = JSON.parse((await redis.get(keys.tokenKey(hash)))!);
    expect(used.lastUsedAt).toBeGreaterThan(0);
    await recordTokenUse(hash, used);
    expect(JSON.parse((await redis.get(keys.tokenKey(hash)))!).lastUsedAt).toBe(used.lastUsedAt);

    expect(await revokeTokenByText(token)).toMatchObject({ id: meta.id });
    await recordTokenUse(hash, meta);
    expect(await redis.exists(keys.tokenKey(hash))).toBe(0);
  });

  it("keeps an expiring token's TTL when recording its use", async () => {
    const { token, meta } = await createToken(viewer, { lifetimeMs: 60_000 });
    await recordTokenUse(hashToken(token), meta);
    const ttl = await redis.pttl(keys.tokenKey(hashToken(token)));
    expect(ttl).toBeGreaterThan(50_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });

  it("refuses malformed Authorization headers with 401 before touching Redis", async () => {
    const { token } = await createToken(viewer);
    for (const header of [
      "Bearer",
      "Bearer ",
      "Basic dXNlcjpwdw==",
      "Bearer slc_tooshort",
      `Bearer ${token} extra`,
      `Token ${token}`,
      `Bearer ${token.slice(4)}`,
      "Bearer\tslc_x",
    ]) {
      const error = await rejection(authenticate(bearer(header)));
      expect(error, header).toMatchObject({ status: 401, code: "unauthorized" });
    }
    expect(await authenticate(bearer(`bearer ${token}`))).toMatchObject({ userId: viewer.id });
  });

  it("token create and revoke are audited", async () => {
    const actor = { userId: analyst.id, via: "session" as const, ip: "203.0.113.9" };
    const { meta } = await issueToken(actor, { owner: { id: analyst.id, role: "analyst" }, name: "audited", scopes: ["queries:run"] });
    await withdrawToken(actor, { userId: analyst.id, id: meta.id });
    const events = await listAuditEvents({ actorUserId: analyst.id });
    const mine = events.filter((event) => (event.details as { tokenId?: string }).tokenId === meta.id);
    expect(mine.map((event) => event.action).sort()).toEqual(["token.create", "token.revoke"]);
    expect(mine[0]).toMatchObject({ via: "session", ip: "203.0.113.9", target: analyst.id, outcome: "ok" });
  });
});
