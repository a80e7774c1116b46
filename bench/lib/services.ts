import { randomBytes } from "node:crypto";
import { rm } from "node:fs/promises";
import path from "node:path";
import postgres from "postgres";
import { migrateDatabase } from "@/db/migrate";
import { seedDatabase } from "@/db/seed";
import { setupDatabase } from "@/db/setup";
import { freePort, startEmbeddedPostgres } from "@/lib/db/embedded";
import { parseEnv, type Env } from "@/lib/env";
import { startRedisServer } from "@/tests/support/redis-server";

/**
 * What a benchmark run needs: Postgres (DATABASE_URL's server, else an
 * embedded one), a fresh database with the full demo dataset, the roles
 * (prefixed, so nothing collides with a development install) and Redis.
 */
export interface BenchServices {
  ownerUrl: string;
  env: Env;
  envVars: Record<string, string>;
  redisUrl: string;
  stop(): Promise<void>;
}

const ROOT = path.resolve(import.meta.dirname, "../..");

export async function startBenchServices(say: (line: string) => void): Promise<BenchServices> {
  const stops: Array<() => Promise<void>> = [];
  let serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    const dataDir = path.join(ROOT, ".data", `bench-pg-${randomBytes(3).toString("hex")}`);
    const pg = await startEmbeddedPostgres({ dataDir, port: await freePort(), password: randomBytes(18).toString("base64url"), durable: false });
    stops.push(async () => {
      await pg.stop();
      await rm(dataDir, { recursive: true, force: true });
    });
    serverUrl = pg.url;
    say("started an embedded Postgres for the benchmark");
  }

  const database = "sluice_bench";
  const server = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await server.unsafe(`drop database if exists ${database} with (force)`);
  await server.unsafe(`create database ${database}`);
  await server.end({ timeout: 5 });
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  const ownerUrl = url.toString();

  const envVars: Record<string, string> = {
    DATABASE_URL: ownerUrl,
    DB_ROLE_PREFIX: "sluice_bench_",
    DB_READONLY_PASSWORD: randomBytes(18).toString("base64url"),
    DB_APP_PASSWORD: randomBytes(18).toString("base64url"),
    DB_ADMIN_PASSWORD: randomBytes(18).toString("base64url"),
    LOG_LEVEL: "warn",
  };
  const env = parseEnv({ NODE_ENV: "test", ...envVars });
  await setupDatabase(ownerUrl, env);
  await migrateDatabase(ownerUrl, env);
  await seedDatabase(ownerUrl, env, { scale: 1, log: say });

  let redisUrl = process.env.REDIS_URL;
  if (!redisUrl) {
    const redis = await startRedisServer();
    stops.push(redis.stop);
    redisUrl = redis.url;
  }
  envVars.REDIS_URL = redisUrl;

  return {
    ownerUrl,
    env,
    envVars,
    redisUrl,
    stop: async () => {
      for (const stop of stops.reverse()) await stop();
    },
  };
}
