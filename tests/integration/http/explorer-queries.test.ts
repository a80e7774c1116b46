import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closePools } from "@/lib/db/clients";
import { createSavedQuery, updateSavedQuery } from "@/lib/explore/saved-queries";
import { startAppServer, type AppServer } from "@/tests/support/app-server";
import { createTestDatabase, type TestDatabase } from "@/tests/support/database";
import { createCaller, explorerEnv, type TestCaller } from "@/tests/integration/explore/support/http-auth";

/** Saved queries over HTTP: visibility, typed {{name}} parameters, JSON/CSV, the Redis cache, audit. */
let db: TestDatabase;
let app: AppServer;
let owner: TestCaller;
let other: TestCaller;
let sharedId: string;
let privateId: string;

const SQL = `select id, status from data.orders
 where status = {{status}} and id = any({{ids}}::int[]) and ordered_at >= {{since}} and coalesce({{min}}, 0) >= 0
 -- {{not_a_param}} in a comment, '{{nor_this}}' in a literal
 order by id`;

beforeAll(async () => {
  db = await createTestDatabase("explorer_queries");
  app = await startAppServer(explorerEnv(db));
  owner = await createCaller(db, "analyst", ["queries:run"]);
  other = await createCaller(db, "viewer", ["queries:run"]);
  const shared = await createSavedQuery(
    { userId: owner.userId, role: "analyst" },
    {
      name: "Orders by status",
      sql: SQL,
      parameters: [
        { name: "status", type: "text" },
        { name: "ids", type: "list" },
        { name: "since", type: "date", default: "2000-01-01" },
        { name: "min", type: "number", required: false },
      ],
      shared: true,
      cacheMaxAgeS: 60,
    },
  );
  sharedId = shared.id;
  privateId = (await createSavedQuery({ userId: owner.userId, role: "analyst" }, { name: "Mine", sql: "select 1 as one" })).id;
});
afterAll(async () => {
  await app?.stop();
  await closePools(1);
  await db?.drop();
});

async function call(caller: TestCaller, path: string, init: RequestInit = {}) {
  const response = await fetch(`${app.url}${path}`, {
    ...init,
    headers: { ...caller.headers, "content-type": "application/json", ...(init.headers ?? {}) },
  });
  const type = response.headers.get("content-type") ?? "";
  return {
    status: response.status,
    headers: response.headers,
    body: (type.includes("json") ? await response.json() : await response.text()) as never,
  };
}

describe("saved queries API", () => {
  it("lists own and shared queries; hides others' private ones as 404", async () => {
    const mine = await call(owner, "/api/v1/queries");
    expect(mine.status).toBe(200);
    expect((mine.body as { queries: Array<{ id: string }> }).queries.map((q) => q.id).sort()).toEqual([sharedId, privateId].sort());
    const theirs = await call(other, "/api/v1/queries");
    expect((theirs.body as { queries: Array<{ id: string; canEdit: boolean }> }).queries.map((q) => [q.id, q.canEdit])).toEqual([[sharedId, false]]);
    expect((await call(other, `/api/v1/queries/${privateId}`)).status).toBe(404);
    expect((await call(other, `/api/v1/queries/${privateId}/results`)).status).toBe(404);
    expect((await call(other, "/api/v1/queries/not-a-uuid")).status).toBe(404);
    expect((await call(owner, `/api/v1/queries/${sharedId}`)).body).toMatchObject({
      id: sharedId,
      name: "Orders by status",
      ownerEmail: owner.email,
    });
  });

  it("binds typed parameters from the query string and from a POST body", async () => {
    const ids = (await db.owner`select id from data.orders where status = 'shipped' order by id limit 3`).map((r) => Number(r.id));
    const viaGet = await call(other, `/api/v1/queries/${sharedId}/results?status=shipped&ids=${ids.join(",")}`);
    expect(viaGet.status).toBe(200);
    const body = viaGet.body as { rows: unknown[][]; columns: Array<{ name: string }>; cached: boolean };
    expect(body.rows.map((r) => Number(r[0]))).toEqual(ids);
    const viaPost = await call(other, `/api/v1/queries/${sharedId}/results`, {
      method: "POST",
      body: JSON.stringify({ params: { status: "shipped", ids: ids.slice(0, 2).map(String), min: 5 } }),
    });
    expect(viaPost.status).toBe(200);
    expect((viaPost.body as { rows: unknown[][] }).rows).toHaveLength(2);
  });

  it("refuses bad, missing and unknown parameters with a 400 naming them, and injection stays a value", async () => {
    const bad = await call(other, `/api/v1/queries/${sharedId}/results?status=x&ids=1&since=yesterday`);
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toMatch(/since must be a date/);
    const missing = await call(other, `/api/v1/queries/${sharedId}/results?ids=1`);
    expect(missing.status).toBe(400);
    expect(JSON.stringify(missing.body)).toMatch(/status is required/);
    // Required means required: sent empty, a required parameter is refused even with a default.
    const cleared = await call(other, `/api/v1/queries/${sharedId}/results?status=x&ids=1&since=`);
    expect(cleared.status).toBe(400);
    expect(cleared.body).toMatchObject({ error: { message: "since is required (an empty value does not fall back to its default)" } });
    const clearedPost = await call(other, `/api/v1/queries/${sharedId}/results`, {
      method: "POST",
      body: JSON.stringify({ params: { status: "", ids: ["1"] } }),
    });
    expect(clearedPost.status).toBe(400);
    expect(JSON.stringify(clearedPost.body)).toMatch(/status is required/);
    // Control: left out, the default applies; an optional one sent empty is fine.
    expect((await call(other, `/api/v1/queries/${sharedId}/results?status=x&ids=1&min=`)).status).toBe(200);
    const unknown = await call(other, `/api/v1/queries/${sharedId}/results?status=x&ids=1&evil=1`);
    expect(unknown.status).toBe(400);
    const injected = await call(other, `/api/v1/queries/${sharedId}/results?status=${encodeURIComponent("x' or '1'='1")}&ids=1`);
    expect(injected.status).toBe(200);
    expect((injected.body as { rows: unknown[] }).rows).toEqual([]);
  });

  it("serves repeated runs from Redis (X-Cache) until the query changes, and audits every run", async () => {
    const path = `/api/v1/queries/${sharedId}/results?status=pending&ids=1,2,3,4,5,6,7,8,9,10`;
    const first = await call(other, path);
    const second = await call(other, path);
    expect(first.headers.get("x-cache")).toBe("miss");
    expect(second.headers.get("x-cache")).toBe("hit");
    expect((second.body as { cached: boolean }).cached).toBe(true);
    expect((second.body as { rows: unknown }).rows).toEqual((first.body as { rows: unknown }).rows);
    await updateSavedQuery({ userId: owner.userId, role: "analyst" }, sharedId, { description: "edited" });
    expect((await call(other, path)).headers.get("x-cache")).toBe("miss");
    const events = await db.owner<{ outcome: string; details: { cached?: boolean } }[]>`
      select outcome, details from app.audit_events where action = 'query.run' and target = ${sharedId} and actor_user_id = ${other.userId}
        and details->'params'->>'status' = 'pending' order by id`;
    expect(events.map((e) => e.details.cached)).toEqual([false, true, false]);
  });

  it("answers CSV with Accept: text/csv", async () => {
    const csv = await call(owner, `/api/v1/queries/${privateId}/results`, { headers: { accept: "text/csv" } });
    expect(csv.status).toBe(200);
    expect(csv.body).toBe("one\r\n1\r\n");
  });

  it("only owners (analyst+) and admins may change a query", async () => {
    await expect(updateSavedQuery({ userId: other.userId, role: "viewer" }, sharedId, { name: "taken" })).rejects.toMatchObject({ status: 403 });
    await expect(createSavedQuery({ userId: other.userId, role: "viewer" }, { name: "x", sql: "select 1" })).rejects.toMatchObject({ status: 403 });
    await expect(createSavedQuery({ userId: owner.userId, role: "analyst" }, { name: "x", sql: "select {{undefined_one}}" })).rejects.toThrow(
      /undefined_one/,
    );
  });
});
