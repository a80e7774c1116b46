import { randomBytes } from "node:crypto";
import path from "node:path";
import { rm } from "node:fs/promises";
import postgres from "postgres";
import { freePort, startEmbeddedPostgres } from "@/lib/db/embedded";
import { migrateDatabase } from "@/db/migrate";
import { seedDatabase } from "@/db/seed";
import { setupDatabase } from "@/db/setup";
import { startRedisServer } from "@/tests/support/redis-server";
import { testEnv, type TestDatabaseConfig } from "@/tests/support/test-env";

/**
 * The services a test run needs, shared by the Vitest and Playwright setups:
 * - Postgres: DATABASE_URL when given (tests create their own databases on
 *   that server), else an embedded Postgres in a throwaway folder;
 * - a template database with roles, migrations and a small demo seed, which
 *   test files clone (CREATE DATABASE … TEMPLATE takes milliseconds);
 * - Redis: REDIS_URL when given, else a redis-server from PATH on a free port.
 */
export interface TestServices {
  database: TestDatabaseConfig;
  redisUrl: string;
  stop(): Promise<void>;
}

const ROOT = path.resolve(import.meta.dirname, "../..");

export async function startTestServices(options: { seedScale?: number } = {}): Promise<TestServices> {
  const stops: Array<() => Promise<void>> = [];
  const runId = `${Date.now().toString(36)}${randomBytes(2).toString("hex")}`;

  let serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    const dataDir = path.join(ROOT, ".data", `test-pg-${runId}`);
    const pg = await startEmbeddedPostgres({ dataDir, port: await freePort(), password: randomBytes(18).toString("base64url"), durable: false });
    stops.push(async () => {
      await pg.stop();
      await rm(dataDir, { recursive: true, force: true });
    });
    serverUrl = pg.url;
  }

  let redisUrl = process.env.REDIS_URL;
  if (!redisUrl) {
    const redis = await startRedisServer();
    stops.push(redis.stop);
    redisUrl = redis.url;
  }

  const database: TestDatabaseConfig = {
    redisUrl,
    serverUrl,
    template: `sluice_test_${runId}_tpl`,
    databasePrefix: `sluice_test_${runId}_`,
    rolePrefix: "sluice_test_",
    passwords: {
      readonly: randomBytes(18).toString("base64url"),
      app: randomBytes(18).toString("base64url"),
      admin: randomBytes(18).toString("base64url"),
    },
  };

  const server = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await server.unsafe(`create database "${database.template}"`);
  const templateUrl = databaseUrl(serverUrl, database.template);
  const env = testEnv(database, templateUrl);
  await setupDatabase(templateUrl, env);
  await migrateDatabase(templateUrl, env);
  await seedDatabase(templateUrl, env, { scale: options.seedScale ?? 0.05 });

  stops.push(async () => {
    const databases = await server<{ datname: string }[]>`
      select datname from pg_database where datname like ${database.databasePrefix + "%"}`;
    for (const { datname } of databases) {
      await server.unsafe(`drop database if exists "${datname}" with (force)`).catch(() => {});
    }
    await server.end({ timeout: 5 });
  });

  return {
    database,
    redisUrl,
    stop: async () => {
      for (const stop of stops.reverse()) await stop();
    },
  };
}

export function databaseUrl(serverUrl: string, database: string): string {
  const parsed = new URL(serverUrl);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** Clones the template into a new database and applies the per-database role settings. */
export async function cloneTemplate(config: TestDatabaseConfig, label: string): Promise<string> {
  const name = `${config.databasePrefix}${label.replace(/\W/g, "_").slice(0, 20)}_${randomBytes(3).toString("hex")}`;
  const server = postgres(config.serverUrl, { max: 1, onnotice: () => {} });
  const url = databaseUrl(config.serverUrl, name);
  try {
    await server.unsafe(`create database "${name}" template "${config.template}"`);
    // Per-database role settings (read-only default, timeouts) are not copied by the template.
    // Setup alters cluster-wide roles: two test files doing it at once fail with "tuple
    // concurrently updated", so one at a time (a session lock in the server's own database).
    await server.begin(async (tx) => {
      await tx`select pg_advisory_xact_lock(hashtext('sluice test database setup'))`;
      await setupDatabase(url, testEnv(config, url));
    });
  } finally {
    await server.end({ timeout: 5 });
  }
  return url;
}
