import "server-only";
import Redis from "ioredis";
import { singleton } from "@/lib/core/singleton";

/**
 * The ioredis connection of this process.
 *
 * Tuned to fail fast: once the first connection attempt is over the offline
 * queue is off, so a command sent while Redis is down is rejected at once
 * instead of waiting for a reconnect that may never come, and every command has
 * a deadline. Callers (limiter, sessions, tokens) then apply their own fail
 * policy instead of hanging a request.
 *
 * The URL is handed in (see configureRedis) — this module does not read env.
 */

export const DEFAULT_CONNECT_TIMEOUT_MS = 2000;
export const DEFAULT_COMMAND_TIMEOUT_MS = 1000;

/** The subset of a pino logger we use; pino instances fit as they are. */
export interface RedisLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export const consoleLogger: RedisLogger = {
  info: (obj, msg) => console.info(msg, obj),
  warn: (obj, msg) => console.warn(msg, obj),
};

export interface RedisClientOptions {
  url: string;
  connectTimeoutMs?: number;
  commandTimeoutMs?: number;
  /** Reconnect attempts a command already sent may wait for; small so it fails fast. */
  maxRetriesPerRequest?: number;
  /** CLIENT SETNAME, so `CLIENT LIST` shows who is connected. */
  connectionName?: string;
  logger?: RedisLogger;
}

export class RedisUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RedisUnavailableError";
  }
}

/** True for errors meaning "Redis cannot be reached right now" (→ 503 / fail policy), not bad commands. */
export function isRedisUnavailable(error: unknown): boolean {
  if (error instanceof RedisUnavailableError) return true;
  if (!(error instanceof Error)) return false;
  const code = (error as NodeJS.ErrnoException).code;
  if (code && ["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EHOSTUNREACH", "ENOTFOUND", "EPIPE"].includes(code)) return true;
  return (
    error.name === "MaxRetriesPerRequestError" ||
    /Command timed out|Stream isn't writeable|Connection is closed|connect ETIMEDOUT/.test(error.message)
  );
}

/** The URL without its password, for logs. */
export function redactRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(unparseable redis url)";
  }
}

/** A new, unshared client. Most code wants getRedis(); tests and tools may want their own. */
export function createRedisClient(options: RedisClientOptions): Redis {
  const logger = options.logger ?? consoleLogger;
  const client = new Redis(options.url, {
    connectTimeout: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    commandTimeout: options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS,
    maxRetriesPerRequest: options.maxRetriesPerRequest ?? 1,
    // Queue only while the very first connection is made (bounded by the command
    // timeout), so a command issued right after startup is not refused; see below.
    enableOfflineQueue: true,
    connectionName: options.connectionName,
    // Keep trying forever with a capped backoff: Redis coming back must heal the app
    // without a restart. Requests meanwhile fail fast (no offline queue).
    retryStrategy: (attempt) => Math.min(100 * 2 ** Math.min(attempt, 5), 2000),
  });

  // After the first connection attempt — made or failed — no more queueing: a
  // command sent while Redis is down is refused at once instead of waiting.
  const stopQueueing = () => {
    client.options.enableOfflineQueue = false;
    client.off("ready", stopQueueing);
    client.off("close", stopQueueing);
  };
  client.on("ready", stopQueueing);
  client.on("close", stopQueueing);

  // One line per outage and one per recovery, not one per reconnect attempt.
  let down = false;
  const target = redactRedisUrl(options.url);
  const markDown = (err?: string) => {
    if (down) return;
    down = true;
    logger.warn({ redis: target, err }, "redis unavailable; retrying in the background");
  };
  client.on("error", (error: Error) => markDown(error.message));
  // A clean server shutdown closes the socket without an error; "reconnecting"
  // only follows unintended losses (not quit()), so it marks those.
  client.on("reconnecting", () => markDown("connection lost"));
  client.on("ready", () => {
    if (!down) return;
    down = false;
    logger.info({ redis: target }, "redis connection restored");
  });
  return client;
}

// One in-flight wait per client, so a burst of requests during connect does not
// pile listeners onto the client.
const readyWaits = new WeakMap<Redis, Promise<void>>();

/**
 * Resolves once the client can take commands. While the first connection is
 * being made this waits (bounded); while Redis is known to be down it rejects
 * at once — that is the fail-fast contract of this module.
 */
export function whenReady(client: Redis, timeoutMs = DEFAULT_COMMAND_TIMEOUT_MS): Promise<void> {
  const status = client.status;
  if (status === "ready") return Promise.resolve();
  if (status === "wait") client.connect().catch(() => undefined);
  else if (status !== "connecting" && status !== "connect") {
    return Promise.reject(new RedisUnavailableError(`redis is ${status}`));
  }
  let pending = readyWaits.get(client);
  if (!pending) {
    pending = new Promise<void>((resolve, reject) => {
      const done = (error?: Error) => {
        clearTimeout(timer);
        client.off("ready", onReady);
        client.off("close", onClose);
        readyWaits.delete(client);
        if (error) reject(error);
        else resolve();
      };
      const onReady = () => done();
      const onClose = () => done(new RedisUnavailableError("redis connection closed while connecting"));
      const timer = setTimeout(() => done(new RedisUnavailableError(`redis not ready within ${timeoutMs} ms`)), timeoutMs);
      client.once("ready", onReady);
      client.once("close", onClose);
    });
    readyWaits.set(client, pending);
  }
  return pending;
}

export type RedisHealth = { ok: true; latencyMs: number } | { ok: false; latencyMs: number; error: string };

/** Readiness check for /api/health/ready. Never throws. */
export async function redisPing(client: Redis = getRedis()): Promise<RedisHealth> {
  const started = performance.now();
  const latencyMs = () => Math.round((performance.now() - started) * 100) / 100;
  try {
    await whenReady(client);
    const reply = await client.ping();
    if (reply !== "PONG") return { ok: false, latencyMs: latencyMs(), error: `unexpected PING reply: ${reply}` };
    return { ok: true, latencyMs: latencyMs() };
  } catch (error) {
    return { ok: false, latencyMs: latencyMs(), error: error instanceof Error ? error.message : String(error) };
  }
}

// Cached on globalThis so `next dev` hot reloads reuse the connection instead of leaking one per reload.
interface RedisShared {
  client?: { client: Redis; url: string };
  config?: RedisClientOptions;
}
const shared = singleton("sluiceRedis", (): RedisShared => ({}));

/** Sets the options getRedis() uses when called without arguments (env wiring happens elsewhere). */
export function configureRedis(options: RedisClientOptions): void {
  const current = shared.client;
  if (current && current.url !== options.url) {
    throw new Error("configureRedis: a client for a different URL already exists; call closeRedis() first");
  }
  shared.config = options;
}

export function isRedisConfigured(): boolean {
  return Boolean(shared.client ?? shared.config);
}

/** The shared client of this process, created on first use (connects in the background). */
export function getRedis(options?: RedisClientOptions): Redis {
  const config = options ?? shared.config;
  const current = shared.client;
  if (current) {
    if (config && config.url !== current.url) {
      throw new Error("getRedis: the shared client was created for a different URL; call closeRedis() first");
    }
    return current.client;
  }
  if (!config) throw new Error("getRedis: Redis is not configured (pass { url } or call configureRedis first)");
  const client = createRedisClient(config);
  shared.client = { client, url: config.url };
  return client;
}

/** Closes the shared client (graceful QUIT, then a hard disconnect if that stalls). */
export async function closeRedis(): Promise<void> {
  const current = shared.client;
  shared.client = undefined;
  if (!current) return;
  await quitClient(current.client);
}

export async function quitClient(client: Redis, timeoutMs = DEFAULT_COMMAND_TIMEOUT_MS): Promise<void> {
  if (client.status === "end") return;
  if (client.status !== "ready") {
    client.disconnect();
    return;
  }
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      client.quit(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error("quit timed out")), timeoutMs);
      }),
    ]);
  } catch {
    client.disconnect();
  } finally {
    clearTimeout(timer);
  }
}
