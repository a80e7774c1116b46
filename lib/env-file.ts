import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { parse } from "dotenv";

/**
 * The production environment file: what `npm start` (scripts/start.mjs) and the command-line
 * scripts (scripts/lib/bootstrap.ts) read before lib/env.ts parses the environment. Next would
 * only look for `.env.production` inside `.next/standalone`, where the server runs and nobody
 * puts it; this looks where the project is.
 *
 * Free of `server-only`: plain-node tooling loads it (bundled with lib/env.ts for npm start).
 */
export const ENV_FILE_VARIABLE = "SLUICE_ENV_FILE";

export class EnvFileError extends Error {}

/** SLUICE_ENV_FILE (relative to the working directory) if set, which must exist; else `<root>/.env.production` if it exists; else null. */
export function productionEnvFile(root: string, source: Record<string, string | undefined> = process.env): string | null {
  const named = source[ENV_FILE_VARIABLE];
  if (named) {
    const file = path.resolve(named);
    if (!existsSync(file)) throw new EnvFileError(`${ENV_FILE_VARIABLE} names ${file}, which does not exist`);
    return file;
  }
  const fallback = path.join(root, ".env.production");
  return existsSync(fallback) ? fallback : null;
}

/** Applies the file's variables that the environment does not set already (the environment wins, as with Next and dotenv). */
export function loadEnvFile(file: string, target: Record<string, string | undefined> = process.env): { applied: string[]; kept: string[] } {
  const values = parse(readFileSync(file));
  const applied: string[] = [];
  const kept: string[] = [];
  for (const [key, value] of Object.entries(values)) {
    if (target[key] === undefined) {
      target[key] = value;
      applied.push(key);
    } else kept.push(key);
  }
  return { applied, kept };
}

/** The one line both entry points print. */
export function describeEnvFile(file: string, loaded: { applied: string[]; kept: string[] }): string {
  const count = `${loaded.applied.length} variable${loaded.applied.length === 1 ? "" : "s"}`;
  return `[sluice] environment from ${file}: ${count}${loaded.kept.length ? ` (${loaded.kept.length} already set in the environment, which wins)` : ""}`;
}
