import { isPortOpen } from "@/lib/db/embedded";
import { resetEnvCache, type Env } from "@/lib/env";
import { bootstrap, type Bootstrapped } from "@/scripts/lib/bootstrap";

/** The dev Redis that `npm run dev` starts (scripts/lib/find-redis.ts). */
const DEV_REDIS_PORT = 6390;

/**
 * bootstrap() plus the Redis the running app uses: REDIS_URL, else in
 * development the redis-server `npm run dev` started. `needRedis` makes its
 * absence an error (tokens live only in Redis; an in-memory store in this
 * process would be a lie).
 */
export async function bootstrapCli(options: { needRedis: boolean }): Promise<Bootstrapped & { redis: boolean }> {
  const booted = await bootstrap({ quiet: true });
  let env: Env = booted.env;
  if (!env.REDIS_URL && env.NODE_ENV !== "production" && (await isPortOpen(DEV_REDIS_PORT))) {
    process.env.REDIS_URL = `redis://127.0.0.1:${DEV_REDIS_PORT}`;
    resetEnvCache();
    env = (await import("@/lib/env")).env();
  }
  if (!env.REDIS_URL && options.needRedis) {
    throw new CliError("no Redis to talk to: set REDIS_URL to the app's Redis, or start `npm run dev` (it runs a redis-server on port 6390)");
  }
  return { ...booted, env, redis: Boolean(env.REDIS_URL) };
}

/** A failure to report in one line, without a stack trace. */
export class CliError extends Error {}

/** Closes pools, Redis and the embedded Postgres so the process can exit. */
export async function shutdownCli(booted: Bootstrapped | null): Promise<void> {
  const { closePools } = await import("@/lib/db/clients");
  const { closeRedis } = await import("@/lib/redis/client");
  await closePools().catch(() => undefined);
  await closeRedis().catch(() => undefined);
  await booted?.embedded?.stop();
}

export async function runCli(main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`[sluice] error: ${message}\n`);
    if (!(error instanceof CliError) && error instanceof Error && process.env.DEBUG) process.stderr.write(`${error.stack}\n`);
    process.exitCode = 1;
  }
}
