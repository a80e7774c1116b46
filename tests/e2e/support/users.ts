import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { hash } from "@node-rs/argon2";
import { expect, type Page } from "@playwright/test";
import postgres from "postgres";
import { STATE_FILE } from "@/tests/e2e/support/global-setup";

/** Users for browser tests, as rows in the e2e database the global setup created. */
export interface E2EUser {
  id: string;
  email: string;
  password: string;
}

export function e2eState(): { baseUrl: string; databaseUrl: string; envVars: Record<string, string> } {
  return JSON.parse(readFileSync(STATE_FILE, "utf8"));
}

// Read once, when the spec importing this loads right after this run's global setup: a
// concurrent run in the same checkout rewrites the shared state file with its own database.
const { databaseUrl, envVars } = e2eState();

/** Runs `fn` with a one-connection client as the e2e database's owner. */
export async function owner<T>(fn: (sql: postgres.Sql) => Promise<T>): Promise<T> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    return await fn(sql);
  } finally {
    await sql.end({ timeout: 2 });
  }
}

export async function createE2EUser(role: "viewer" | "analyst" | "admin"): Promise<E2EUser> {
  const email = `e2e-${role}-${randomBytes(4).toString("hex")}@example.test`;
  const password = `pw-${randomBytes(12).toString("base64url")}`;
  const passwordHash = await hash(password);
  const [row] = await owner(
    (sql) => sql<{ id: string }[]>`
    insert into app.users (email, role, password_hash) values (${email}, ${role}, ${passwordHash}) returning id`,
  );
  return { id: row!.id, email, password };
}

/** Signs in through the form on `path`'s redirect to /sign-in and waits to be back on `path`. */
export async function signIn(page: Page, user: E2EUser, path: string) {
  await page.goto(path);
  await page.getByLabel("E-mail").fill(user.email);
  await page.getByLabel("Password").fill(user.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(new RegExp(`${path.replace(/[.?]/g, "\\$&")}$`));
}

const ROOT = path.resolve(import.meta.dirname, "../../..");
const run = promisify(execFile);

/** An API token through `npm run token`, the operators' path; it prints the token alone on its last line. */
export async function createToken(email: string, scopes: string, name: string): Promise<string> {
  const { stdout } = await run(
    path.join(ROOT, "node_modules/.bin/tsx"),
    ["--conditions=react-server", "scripts/token.ts", "create", "--email", email, "--name", name, "--scopes", scopes],
    {
      cwd: ROOT,
      env: { NODE_ENV: "test", PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...envVars },
      timeout: 60_000,
    },
  );
  return stdout.trim().split("\n").at(-1)!.trim();
}
