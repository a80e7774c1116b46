import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { promisify } from "node:util";
import type { TestDatabase } from "@/tests/support/database";

/**
 * Accounts and tokens for the ops tests, made the way an operator makes them:
 * through the real command-line scripts (create-admin, token; run like
 * package.json runs them), against the
 * test database and Redis, so the app server sees them exactly as in
 * production.
 */
const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, "../../..");
const TSX = path.join(ROOT, "node_modules", ".bin", "tsx");

export interface Operator {
  adminEmail: string;
  adminPassword: string;
  adminToken: string;
  /** Run a script under scripts/ with the test's environment; returns stdout. */
  script(name: string, args: string[]): Promise<string>;
}

export async function createOperator(db: TestDatabase, redisUrl: string): Promise<Operator> {
  const adminEmail = `ops-${randomBytes(4).toString("hex")}@example.test`;
  const adminPassword = `pw-${randomBytes(18).toString("base64url")}`;
  const vars = db.envVars({ REDIS_URL: redisUrl, ADMIN_PASSWORD: adminPassword });
  const script = async (name: string, args: string[]) => {
    const { stdout } = await run(TSX, ["--conditions=react-server", path.join(ROOT, "scripts", `${name}.ts`), ...args], {
      cwd: ROOT,
      env: { NODE_ENV: "test", PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...vars },
      timeout: 60_000,
    });
    return stdout;
  };
  await script("create-admin", ["--email", adminEmail]);
  const created = await script("token", ["create", "--email", adminEmail, "--name", "ops-test", "--scopes", "tables:read,queries:run,sql:run,admin"]);
  const adminToken = created.trim().split("\n").at(-1) ?? "";
  if (!adminToken.startsWith("slc_")) throw new Error(`token create printed no token:\n${created}`);
  return { adminEmail, adminPassword, adminToken, script };
}
