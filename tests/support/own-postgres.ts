import { randomBytes } from "node:crypto";
import { rm } from "node:fs/promises";
import path from "node:path";
import { inject } from "vitest";
import { migrateDatabase } from "@/db/migrate";
import { setupDatabase } from "@/db/setup";
import type { Env } from "@/lib/env";
import { freePort, startEmbeddedPostgres, type EmbeddedPostgresHandle } from "@/lib/db/embedded";
import { testEnv, type TestDatabaseConfig } from "@/tests/support/test-env";

/**
 * A Postgres of its own, with the roles set up and the migrations applied, for tests that stop
 * and start the server (the shared test server must never be restarted under the other files).
 */
export interface OwnPostgres {
  url: string;
  config: TestDatabaseConfig;
  env: Env;
  stop(): Promise<void>;
  /** Starts it again on the same port and data folder. */
  start(): Promise<void>;
  /** Stops it and deletes its data folder. */
  remove(): Promise<void>;
}

export async function startOwnPostgres(label: string): Promise<OwnPostgres> {
  const dataDir = path.resolve(import.meta.dirname, "../../.data", `${label}-pg-${randomBytes(3).toString("hex")}`);
  const password = randomBytes(18).toString("base64url");
  const port = await freePort();
  const boot = () => startEmbeddedPostgres({ dataDir, port, password, durable: false });
  let pg: EmbeddedPostgresHandle = await boot();
  const config: TestDatabaseConfig = { ...inject("database"), serverUrl: pg.url };
  const env = testEnv(config, pg.url);
  await setupDatabase(pg.url, env);
  await migrateDatabase(pg.url, env);
  return {
    url: pg.url,
    config,
    env,
    stop: () => pg.stop(),
    start: async () => {
      pg = await boot();
    },
    remove: async () => {
      await pg.stop().catch(() => {});
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
