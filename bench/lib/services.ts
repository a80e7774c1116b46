import { randomBytes } from "node:crypto";
import { rm } from "node:fs/promises";
import path from "node:path";
import postgres from "postgres";
import Redis from "ioredis";
import { readFileSync } from "node:fs";
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
  /** The postmaster and the Redis server, for their CPU counters (bench/lib/process-cpu.ts). */
  pids: { postgres: number; redis: number };
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
  // A backend's parent is the postmaster (the server is on this machine: the benchmark starts or is given a local one).
  const [{ pid: backendPid }] = await server<[{ pid: number }]>`select pg_backend_pid() as pid`;
  const postmasterPid = parentPid(backendPid);
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
  const redisClient = new Redis(redisUrl);
  const redisPid = Number(((await redisClient.info("server")).match(/process_id:(\d+)/) ?? [])[1]);
  await redisClient.quit();

  return {
    ownerUrl,
    env,
    envVars,
    redisUrl,
    pids: { postgres: postmasterPid, redis: redisPid },
    stop: async () => {
      for (const stop of stops.reverse()) await stop();
    },
  };
}

function parentPid(pid: number): number {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(text.slice(text.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return 0; // not on this machine: no Postgres CPU figures
  }
}
