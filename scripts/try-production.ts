import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, writeFileSync } from "node:fs";
import path from "node:path";
import { ENV_FILE_VARIABLE } from "@/lib/env-file";
import { ROOT, say } from "@/scripts/lib/bootstrap";

/**
 * `npm run try:production`: the README's production sequence in one command, against a Postgres
 * database and a Redis you already run. The first run writes `.env.production` (ignored by git)
 * from DATABASE_URL and REDIS_URL with fresh role passwords and AUTH_SECRET; every run then does
 * what an operator does: db:migrate, create-admin (only if there is none; it prints the
 * password), the build if there is none, and npm start, all reading that file.
 */
const file = process.env[ENV_FILE_VARIABLE] ? path.resolve(process.env[ENV_FILE_VARIABLE]!) : path.join(ROOT, ".env.production");
if (!existsSync(file)) {
  const { DATABASE_URL, REDIS_URL } = process.env;
  if (!DATABASE_URL || !REDIS_URL) {
    say("error: set DATABASE_URL (the owner of an existing database) and REDIS_URL for the first run, e.g.");
    say("  DATABASE_URL=postgres://postgres@127.0.0.1:5432/sluice REDIS_URL=redis://127.0.0.1:6379 npm run try:production");
    process.exit(1);
  }
  const secret = (bytes: number) => randomBytes(bytes).toString("base64url");
  const lines = [
    "# Written by npm run try:production. Secrets: keep this file out of git (it is ignored).",
    `DATABASE_URL=${DATABASE_URL}`,
    `REDIS_URL=${REDIS_URL}`,
    `DB_READONLY_PASSWORD=${secret(24)}`,
    `DB_APP_PASSWORD=${secret(24)}`,
    `DB_ADMIN_PASSWORD=${secret(24)}`,
    `AUTH_SECRET=${secret(36)}`,
  ];
  writeFileSync(file, lines.join("\n") + "\n", { mode: 0o600 });
  say(`wrote ${path.relative(ROOT, file)}: DATABASE_URL, REDIS_URL and fresh role passwords and AUTH_SECRET`);
}

const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: "production", [ENV_FILE_VARIABLE]: file };
const npm = (args: string[]) => {
  say(`npm ${args.join(" ")}`);
  const result = spawnSync("npm", args, { cwd: ROOT, env, stdio: "inherit" });
  if (result.status !== 0) process.exit(result.status ?? 1);
};
npm(["run", "db:migrate"]);
npm(["run", "create-admin", "--", "--if-none"]);
if (!existsSync(path.join(ROOT, process.env.NEXT_DIST_DIR || ".next", "standalone", "sluice-env.mjs"))) npm(["run", "build"]);
npm(["start"]);
