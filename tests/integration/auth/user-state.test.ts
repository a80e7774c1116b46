import type Redis from "ioredis";
import { beforeAll, describe, expect, it } from "vitest";
import { authenticate } from "@/lib/auth/authenticate";
import { readCredential } from "@/lib/auth/credential-read";
import { hashToken } from "@/lib/auth/token-format";
import { changeUserState, userStateOf } from "@/lib/auth/user-state";
import { newRequestContext, runWithRequestContext } from "@/lib/core/request-context";
import { pool } from "@/lib/db/clients";
import { keys } from "@/lib/redis/keys";
import { createToken, createUser, libOnTestServices, type TestUser } from "@/tests/support/auth";
import type { TestDatabase } from "@/tests/support/database";

/**
 * The user state authentication reads from Redis (lib/auth/user-state.ts): no Postgres when it is
 * cached, one query to rebuild it, and no rebuild racing a change can cache what the change replaced.
 */
const services = libOnTestServices("auth_user_state");
let db: TestDatabase;
let redis: Redis;
beforeAll(() => {
  ({ db, redis } = services);
});

const bearer = (token: string) => new Request("http://sluice.test/api/v1/me", { headers: { authorization: `Bearer ${token}` } });
const appUnits = () => pool("app").stats().served;

async function withToken(role: TestUser["role"] = "analyst") {
  const user = await createUser(db, { role });
  const { token } = await createToken(user, { scopes: ["tables:read"] });
  return { user, token, recordKey: keys.tokenKey(hashToken(token)) };
}

describe("the cached user state", () => {
  it("a cold check reads Postgres once and caches; warm checks read no Postgres", async () => {
    // The pool's own first-use work (opening, warming) is not the request's: open it first.
    await authenticate(bearer((await withToken()).token));
    const { user, token } = await withToken();
    const cold = appUnits();
    expect((await authenticate(bearer(token)))?.userId).toBe(user.id);
    expect(appUnits() - cold).toBe(1);
    const warm = appUnits();
    for (let i = 0; i < 5; i++) expect((await authenticate(bearer(token)))?.role).toBe("analyst");
    expect(appUnits() - warm).toBe(0);
  });

  it("a rebuild that read before a change began does not cache the state the change replaces", async () => {
    const { user, token, recordKey } = await withToken();
    const early = await readCredential(recordKey);
    expect(early).toMatchObject({ state: null, pending: false });
    await changeUserState(user.id, async () => {
      // The racing rebuild: generation read before the change began, Postgres read before it commits.
      expect((await userStateOf(user.id, early))?.role).toBe("analyst");
      await db.owner`update app.users set role = 'viewer' where id = ${user.id}`;
    });
    expect(await redis.get(keys.userStateKey(user.id))).toBeNull();
    expect((await authenticate(bearer(token)))?.role).toBe("viewer");
    // Control: a rebuild after the change caches.
    expect(await redis.get(keys.userStateKey(user.id))).toContain('"role":"viewer"');
  });

  it("nothing is cached while a change is in flight, and the change empties what was cached", async () => {
    const { user, token, recordKey } = await withToken();
    await authenticate(bearer(token));
    expect(await redis.get(keys.userStateKey(user.id))).not.toBeNull();
    await changeUserState(user.id, async () => {
      expect(await redis.get(keys.userStateKey(user.id))).toBeNull();
      const during = await readCredential(recordKey);
      expect(during.pending).toBe(true);
      expect((await userStateOf(user.id, during))?.disabled).toBe(false);
      expect(await redis.get(keys.userStateKey(user.id))).toBeNull();
      await db.owner`update app.users set disabled = true where id = ${user.id}`;
    });
    expect(await redis.exists(keys.userStatePendingKey(user.id))).toBe(0);
    await expect(authenticate(bearer(token))).rejects.toMatchObject({ status: 401, message: expect.stringMatching(/disabled/) });
  });

  it("a failed write still closes the change", async () => {
    const { user, token } = await withToken();
    await authenticate(bearer(token));
    await expect(
      changeUserState(user.id, async () => {
        throw new Error("the write failed");
      }),
    ).rejects.toThrow("the write failed");
    expect(await redis.exists(keys.userStatePendingKey(user.id))).toBe(0);
    // Control: the state is rebuilt (unchanged) and cached again.
    expect((await authenticate(bearer(token)))?.role).toBe("analyst");
    expect(await redis.get(keys.userStateKey(user.id))).not.toBeNull();
  });

  it("a state cached for another user is not believed", async () => {
    const { user, token } = await withToken("viewer");
    const other = await createUser(db, { role: "admin" });
    await redis.set(
      keys.userStateKey(user.id),
      JSON.stringify({ id: other.id, email: other.email, role: "admin", disabled: false, passwordChangedAt: 0 }),
    );
    expect((await authenticate(bearer(token)))?.role).toBe("viewer");
  });
});

describe("the proxy's read, handed over in the request context", () => {
  it("is re-checked for the credential it was made for, and ignored for any other", async () => {
    const { user, token, recordKey } = await withToken("viewer");
    const other = await withToken("viewer");
    const handed = await readCredential(recordKey);
    const context = newRequestContext("handover-test");
    context.credential = {
      ...handed,
      state: JSON.stringify({ id: user.id, email: user.email, role: "admin", disabled: false, passwordChangedAt: 0 }),
    };
    await runWithRequestContext(context, async () => {
      // The same credential: its read is taken as it was handed over (here with a state it claims).
      expect((await authenticate(bearer(token)))?.role).toBe("admin");
      // Another credential in the same request: read afresh.
      expect(await authenticate(bearer(other.token))).toMatchObject({ userId: other.user.id, role: "viewer" });
    });
    // Control: outside that request the first token is what its owner is.
    expect((await authenticate(bearer(token)))?.role).toBe("viewer");
  });

  it("a handed-over read of a revoked token refuses it without a second look", async () => {
    const { token, recordKey } = await withToken();
    const context = newRequestContext("handover-revoked");
    context.credential = { ...(await readCredential(recordKey)), record: null };
    await runWithRequestContext(context, async () => {
      await expect(authenticate(bearer(token))).rejects.toMatchObject({ status: 401 });
    });
    expect(await authenticate(bearer(token))).not.toBeNull();
  });
});
