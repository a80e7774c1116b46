import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";

/**
 * Tokens for the admin tests, made the way an operator would: through
 * `npm run token` (the same code path as the UI). Users and sign-in come from
 * tests/support/auth.ts.
 */
const ROOT = path.resolve(import.meta.dirname, "../../..");
const run = promisify(execFile);

/** A token via the CLI; it prints the token alone on its last line. */
export async function createToken(envVars: Record<string, string>, email: string, scopes: string[]): Promise<string> {
  const { stdout } = await run(
    path.join(ROOT, "node_modules/.bin/tsx"),
    ["--conditions=react-server", "scripts/token.ts", "create", "--email", email, "--name", "admin-test", "--scopes", scopes.join(",")],
    {
      cwd: ROOT,
      env: { NODE_ENV: "test", PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...envVars },
      timeout: 60_000,
    },
  );
  const token = stdout.trim().split("\n").at(-1)!.trim();
  if (!token.startsWith("slc_")) throw new Error(`token CLI printed no token:\n${stdout}`);
  return token;
}
