import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAppServer, type AppServer } from "@/tests/support/app-server";
import { createTestDatabase, type TestDatabase } from "@/tests/support/database";

let db: TestDatabase;
let app: AppServer;
/** The per-check detail is for admins and the scraper secret; anonymous callers get the status. */
const METRICS_TOKEN = `mt-${randomBytes(24).toString("base64url")}`;
const detail = { headers: { authorization: `Bearer ${METRICS_TOKEN}` } };

/** Readiness keeps one probe's answer for about a second: wait for the new state to show. */
async function readinessBecomes(status: number): Promise<Response> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const response = await fetch(`${app.url}/api/health/ready`, detail);
    if (response.status === status || Date.now() > deadline) return response;
    await response.arrayBuffer();
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  db = await createTestDatabase("health");
  app = await startAppServer(db.envVars({ METRICS_TOKEN }));
});
afterAll(async () => {
  await app?.stop();
  await db?.drop();
});

describe("health endpoints of the production build", () => {
  it("GET /api/health answers without touching dependencies", async () => {
    const response = await fetch(`${app.url}/api/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: "ok" });
  });

  it("GET /api/health/ready lists the three role pools and the migrations to the scraper, without secrets", async () => {
    const response = await fetch(`${app.url}/api/health/ready`, detail);
    const text = await response.text();
    expect(response.status).toBe(200);
    const body = JSON.parse(text);
    expect(body.status).toBe("ok");
    for (const role of ["readonly", "app", "admin"]) {
      expect(body.checks[`db:${role}`]).toMatchObject({ ok: true });
      expect(body.checks[`db:${role}`].latencyMs).toBeGreaterThanOrEqual(0);
      expect(body.pools[role]).toMatchObject({ size: 10, min: 2 });
    }
    expect(body.checks.migrations).toMatchObject({ ok: true, current: true });
    for (const secret of Object.values(db.envVars()).filter((v) => v.length > 16)) {
      expect(text).not.toContain(secret);
    }
  });

  it("the home page shows the database status", async () => {
    const response = await fetch(`${app.url}/`);
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain("Database status");
    expect(html).toContain("ready");
  });

  it("readiness answers 503 naming the check when migrations are behind", async () => {
    await db.owner`alter table app.__drizzle_migrations rename to __drizzle_migrations_hidden`;
    await db.owner`create table app.__drizzle_migrations (id serial, hash text, created_at bigint)`;
    await db.owner`grant select on app.__drizzle_migrations to ${db.owner(db.env.DB_ROLE_PREFIX + db.env.DB_ADMIN_USER)}`;
    try {
      const response = await readinessBecomes(503);
      expect(response.status).toBe(503);
      const body = await response.json();
      expect(body.failed).toEqual(["migrations"]);
      expect(body.checks.migrations.error).toMatch(/db:migrate/);
    } finally {
      await db.owner`drop table app.__drizzle_migrations`;
      await db.owner`alter table app.__drizzle_migrations_hidden rename to __drizzle_migrations`;
    }
    expect((await readinessBecomes(200)).status).toBe(200);
  });
});

describe("startup configuration check", () => {
  it("refuses to start with a bad configuration and lists every problem", async () => {
    const error = await startAppServer({
      ...db.envVars(),
      DB_POOL_MODE: "sometimes",
      DB_POOL_SIZE: "-3",
      DB_APP_PASSWORD: "devgen_abcdefghijklmnop",
    }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message).toMatch(/exited with 78/);
    expect(message).toMatch(/DB_POOL_MODE/);
    expect(message).toMatch(/DB_POOL_SIZE/);
    expect(message).toMatch(/DB_APP_PASSWORD is a development-generated secret/);
  });
});
