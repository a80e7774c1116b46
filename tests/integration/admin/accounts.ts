import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { hashPassword } from "@/lib/auth/password";
import type { UserRole } from "@/lib/auth/caller";
import type { TestDatabase } from "../../support/database";

/**
 * Accounts for the admin tests, made the way an operator would: users as rows,
 * tokens through `npm run token` (the same code path as the UI), sessions
 * through next-auth's own credentials sign-in over HTTP.
 */
const ROOT = path.resolve(import.meta.dirname, "../../..");
const run = promisify(execFile);

export async function createUser(db: TestDatabase, role: UserRole, password = "correct-horse-battery-staple"): Promise<{ email: string; password: string; id: string }> {
  const email = `${role}-${Math.random().toString(36).slice(2, 8)}@example.test`;
  const [row] = await db.owner<{ id: string }[]>`
    insert into app.users (email, role, password_hash) values (${email}, ${role}, ${await hashPassword(password)}) returning id`;
  return { email, password, id: row!.id };
}

/** A token via the CLI; it prints the token alone on its last line. */
export async function createToken(envVars: Record<string, string>, email: string, scopes: string[]): Promise<string> {
  const { stdout } = await run(path.join(ROOT, "node_modules/.bin/tsx"), ["--conditions=react-server", "scripts/token.ts", "create", "--email", email, "--name", "admin-test", "--scopes", scopes.join(",")], {
    cwd: ROOT,
    env: { NODE_ENV: "test", PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...envVars },
    timeout: 60_000,
  });
  const token = stdout.trim().split("\n").at(-1)!.trim();
  if (!token.startsWith("slc_")) throw new Error(`token CLI printed no token:\n${stdout}`);
  return token;
}

/** Signs in with next-auth's credentials callback and returns the Cookie header of the session. */
export async function signIn(baseUrl: string, email: string, password: string): Promise<string> {
  const csrf = await fetch(`${baseUrl}/api/auth/csrf`);
  const jar = new Map<string, string>();
  const keep = (response: Response) => {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const eq = pair!.indexOf("=");
      jar.set(pair!.slice(0, eq), pair!.slice(eq + 1));
    }
  };
  keep(csrf);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
  const response = await fetch(`${baseUrl}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "Content-Type": "application/x-www-form-urlencoded", cookie: cookie() },
    body: new URLSearchParams({ email, password, csrfToken, json: "true" }),
  });
  keep(response);
  if (![...jar.keys()].some((name) => name.includes("session-token"))) {
    throw new Error(`sign-in failed for ${email}: HTTP ${response.status} ${await response.text()}`);
  }
  return cookie();
}
