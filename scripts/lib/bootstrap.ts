import path from "node:path";
import nextEnv from "@next/env";
import { env, resetEnvCache, type Env } from "@/lib/env";
import { describeEnvFile, ENV_FILE_VARIABLE, loadEnvFile, productionEnvFile } from "@/lib/env-file";
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from "@/lib/db/embedded";
import { ensureDevSecrets } from "@/scripts/lib/dev-secrets";

export const ROOT = path.resolve(import.meta.dirname, "../..");

export interface Bootstrapped {
  env: Env;
  ownerUrl: string;
  embedded: EmbeddedPostgresHandle | null;
}

export const say = (line: string) => process.stdout.write(`[sluice] ${line}\n`);

/** `say`, but a line already said is not repeated (setup and the grants after a migration report the same degradation). */
export function sayOnce(): (line: string) => void {
  const said = new Set<string>();
  return (line) => {
    if (said.has(line)) return;
    said.add(line);
    say(line);
  };
}

/**
 * What every command-line entry point does first: load .env files, create the
 * development secrets if missing, and bring up the embedded Postgres when no
 * DATABASE_URL is configured (never in production).
 */
export async function bootstrap(options: { quiet?: boolean } = {}): Promise<Bootstrapped> {
  const log = options.quiet ? () => {} : say;
  // In production (or when named), the file npm start reads, before Next's loader below: so that it
  // wins over a development .env.local on the same machine, as it does for npm start.
  const production = process.env.NODE_ENV === "production" || process.env[ENV_FILE_VARIABLE] !== undefined;
  const file = production ? productionEnvFile(ROOT) : null;
  if (file) log(describeEnvFile(file, loadEnvFile(file)).replace(/^\[sluice\] /, ""));
  nextEnv.loadEnvConfig(ROOT, process.env.NODE_ENV !== "production", { info: () => {}, error: console.error });
  if (process.env.NODE_ENV !== "production") {
    const generated = ensureDevSecrets(ROOT, process.env);
    if (generated.length) log(`generated development secrets into .env.local: ${generated.join(", ")}`);
  }
  resetEnvCache();
  let config = env();
  let embedded: EmbeddedPostgresHandle | null = null;
  if (!config.DATABASE_URL) {
    if (config.NODE_ENV === "production") throw new Error("DATABASE_URL is required in production");
    embedded = await startEmbeddedPostgres({
      dataDir: path.join(ROOT, ".data", "postgres"),
      port: config.EMBEDDED_PG_PORT,
      password: config.EMBEDDED_PG_PASSWORD!,
      log,
    });
    await ensureDatabase(embedded.url, "sluice");
    process.env.DATABASE_URL = embedded.url.replace(/\/postgres$/, "/sluice");
    resetEnvCache();
    config = env();
  }
  return { env: config, ownerUrl: config.DATABASE_URL!, embedded };
}

async function ensureDatabase(serverUrl: string, name: string): Promise<void> {
  const { default: postgres } = await import("postgres");
  const sql = postgres(serverUrl, { max: 1, onnotice: () => {} });
  try {
    const [exists] = await sql`select 1 from pg_database where datname = ${name}`;
    if (!exists) await sql.unsafe(`create database "${name}"`);
  } finally {
    await sql.end({ timeout: 5 });
  }
}
