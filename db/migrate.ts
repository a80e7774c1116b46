import path from "node:path";
import postgres from "postgres";
import { drizzle } from "drizzle-orm/postgres-js";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import type { Env } from "@/lib/env";
import { applyGrants, type SetupLog } from "@/db/setup";

export const MIGRATIONS_FOLDER = path.resolve(import.meta.dirname, "migrations");
export const MIGRATIONS_SCHEMA = "app";
export const MIGRATIONS_TABLE = "__drizzle_migrations";

/** `npm run db:migrate`: owner connection only; app instances never migrate. */
export async function migrateDatabase(ownerUrl: string, env: Env, log: SetupLog = () => {}): Promise<void> {
  const owner = postgres(ownerUrl, { max: 1, onnotice: () => {} });
  try {
    // One migrator at a time per database, even when several deploys race.
    await owner`select pg_advisory_lock(hashtext('sluice:migrate'))`;
    await migrate(drizzle(owner), {
      migrationsFolder: MIGRATIONS_FOLDER,
      migrationsSchema: MIGRATIONS_SCHEMA,
      migrationsTable: MIGRATIONS_TABLE,
    });
    await applyGrants(owner, ownerUrl, env, log);
    log("migrations applied");
  } finally {
    await owner.end({ timeout: 5 });
  }
}
