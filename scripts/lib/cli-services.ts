import { isPortOpen } from "@/lib/db/embedded";
import { EnvError, resetEnvCache, type Env } from "@/lib/env";
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

/**
 * One line for any failure, never a stack trace (DEBUG=1 adds it): the driver's error when a
 * wrapper (Drizzle's "Failed query") hides it, the configuration problems joined with "; ".
 */
export function describeError(error: unknown): string {
  if (error instanceof CliError) return error.message;
  const cause = (error as { cause?: unknown } | null)?.cause;
  const inner = (cause as { name?: unknown } | null)?.name === "PostgresError" ? cause : error;
  if (inner instanceof EnvError) return `invalid configuration: ${inner.problems.join("; ")}`;
  const { message, code } = (inner ?? {}) as { message?: unknown; code?: unknown };
  let text = typeof message === "string" && message ? message : String(inner);
  // Privilege refusals say which privilege in the message; the code tells the reader where to look.
  if (code === "42501") text = `insufficient privilege: ${text}`;
  return text.replace(/\s*\n\s*/g, "; ");
}

export async function runCli(main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (error) {
    process.stderr.write(`[sluice] error: ${describeError(error)}\n`);
    if (!(error instanceof CliError) && error instanceof Error && process.env.DEBUG) process.stderr.write(`${error.stack}\n`);
    process.exitCode = 1;
  }
}
