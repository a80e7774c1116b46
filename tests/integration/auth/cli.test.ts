import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { authenticate } from "@/lib/auth/authenticate";
import { verifyPassword } from "@/lib/auth/password";
import { closePools } from "@/lib/db/clients";
import { closeRedis } from "@/lib/redis/client";
import { createUser, useAppEnvironment } from "@/tests/support/auth";
import { createTestDatabase, type TestDatabase } from "@/tests/support/database";

/** `npm run create-admin` and `npm run token`, run as an operator would, against the test database and Redis. */
const ROOT = path.resolve(import.meta.dirname, "../../..");
const exec = promisify(execFile);
let db: TestDatabase;
let vars: Record<string, string>;

async function cli(script: "create-admin" | "token", args: string[], extra: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await exec(path.join(ROOT, "node_modules/.bin/tsx"), ["--conditions=react-server", `scripts/${script}.ts`, ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...vars, ...extra } as unknown as NodeJS.ProcessEnv,
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

const passwordHash = async (email: string) =>
  (
    await db.owner<
      { password_hash: string; role: string; disabled: boolean }[]
    >`select password_hash, role, disabled from app.users where lower(email) = lower(${email})`
  )[0];

beforeAll(async () => {
  db = await createTestDatabase("auth_cli");
  vars = db.envVars({ REDIS_URL: inject("redisUrl") });
  useAppEnvironment(vars);
});
afterAll(async () => {
  await closePools();
  await closeRedis();
  await db?.drop();
});

const mustChange = async (email: string) =>
  (await db.owner<{ must: boolean }[]>`select must_change_password as must from app.users where lower(email) = lower(${email})`)[0]?.must;

// Each CLI run is a fresh tsx process (seconds on a busy machine); several per test.
const SLOW = { timeout: 240_000 };

describe("npm run create-admin", SLOW, () => {
  it("--if-none creates a first admin with a generated password, printed once; then does nothing", async () => {
    const first = await cli("create-admin", ["--if-none"]);
    expect(first.code).toBe(0);
    const password = /password \(shown once, store it now\): (\S+)/.exec(first.stdout)?.[1];
    expect(password).toMatch(/^[A-Za-z0-9]{20}$/);
    const row = await passwordHash("admin@sluice.localhost");
    expect(row?.role).toBe("admin");
    expect(await verifyPassword(row!.password_hash, password!)).toBe(true);
    // Generated, so nobody chose it: replaced at first sign-in.
    expect(first.stdout).toMatch(/must be replaced at the first sign-in/);
    expect(await mustChange("admin@sluice.localhost")).toBe(true);

    const second = await cli("create-admin", ["--if-none"]);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/an admin account exists/);
    expect(second.stdout).not.toMatch(/password \(shown once/);
  });

  it("takes ADMIN_PASSWORD, and promotes (and enables) an existing user, keeping their password unless asked", async () => {
    const created = await cli("create-admin", ["--email", "Ops@Example.test"], { ADMIN_PASSWORD: "from the environment" });
    expect(created.stdout).toMatch(/created admin Ops@Example.test/);
    expect(created.stdout).not.toContain("from the environment");
    expect(await verifyPassword((await passwordHash("ops@example.test"))!.password_hash, "from the environment")).toBe(true);
    // Control: a password the operator gave is theirs.
    expect(await mustChange("ops@example.test")).toBe(false);

    const viewer = await createUser(db, { role: "viewer", disabled: true });
    const promoted = await cli("create-admin", ["--email", viewer.email]);
    expect(promoted.code).toBe(0);
    expect(promoted.stdout).toMatch(/existed as viewer; promoted to admin/);
    expect(promoted.stdout).toMatch(/enabled it/);
    expect(promoted.stdout).toMatch(/password unchanged/);
    const row = await passwordHash(viewer.email);
    expect(row).toMatchObject({ role: "admin", disabled: false });
    expect(await verifyPassword(row!.password_hash, viewer.password)).toBe(true);

    const reset = await cli("create-admin", ["--email", viewer.email, "--reset-password"]);
    const generated = /password \(shown once, store it now\): (\S+)/.exec(reset.stdout)?.[1];
    expect(await verifyPassword((await passwordHash(viewer.email))!.password_hash, generated!)).toBe(true);
    expect(await mustChange(viewer.email)).toBe(true);
  });

  it("refuses a missing or bad e-mail with a one-line error", async () => {
    expect((await cli("create-admin", [])).stderr).toMatch(/--email is required/);
    const bad = await cli("create-admin", ["--email", "not-an-email"]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/not an e-mail address/);
  });
});

describe("npm run token", SLOW, () => {
  it("create prints the token alone on its last line; list shows it; revoke by id or text ends it", async () => {
    const user = await createUser(db, { role: "analyst" });
    const created = await cli("token", ["create", "--email", user.email, "--name", "cron", "--scopes", "tables:read,sql:run", "--expires", "30d"]);
    expect(created.code).toBe(0);
    const lines = created.stdout.trim().split("\n");
    const token = lines.at(-1)!;
    expect(token).toMatch(/^slc_[0-9A-Za-z]{43}$/);
    const caller = await authenticate(new Request("http://x/", { headers: { authorization: `Bearer ${token}` } }));
    expect(caller).toMatchObject({ userId: user.id, scopes: ["tables:read", "sql:run"] });

    const list = await cli("token", ["list", "--email", user.email]);
    expect(list.stdout).toContain(caller!.tokenId);
    expect(list.stdout).toContain("cron");
    expect(list.stdout).not.toContain(token);

    expect((await cli("token", ["revoke", "--id", caller!.tokenId!])).stdout).toMatch(/revoked token/);
    await expect(authenticate(new Request("http://x/", { headers: { authorization: `Bearer ${token}` } }))).rejects.toMatchObject({ status: 401 });

    const second = (await cli("token", ["create", "--email", user.email, "--name", "other", "--scopes", "queries:run"])).stdout
      .trim()
      .split("\n")
      .at(-1)!;
    expect((await cli("token", ["revoke", "--token", second])).stdout).toMatch(/revoked token/);
    const again = await cli("token", ["revoke", "--token", second]);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/no such token/);
  });

  it("refuses scopes beyond the user's role and unknown scopes", async () => {
    const viewer = await createUser(db, { role: "viewer" });
    const beyond = await cli("token", ["create", "--email", viewer.email, "--name", "x", "--scopes", "sql:run"]);
    expect(beyond.code).not.toBe(0);
    expect(beyond.stderr).toMatch(/cannot grant: sql:run/);
    const unknown = await cli("token", ["create", "--email", viewer.email, "--name", "x", "--scopes", "root"]);
    expect(unknown.stderr).toMatch(/--scopes takes/);
  });
});
