import "server-only";
import { env } from "@/lib/env";
import { log } from "@/lib/core/log";
import { instanceId } from "@/lib/db/instance";
import { RolePool, type Unit } from "@/lib/db/pool";
import { ROLES, roleCredentials, rolePoolSize, roleUrl, type Role } from "@/lib/db/roles";

/**
 * One pool per role, created on first use and cached on globalThis so that
 * dev hot reload reuses them instead of leaking connections.
 */
const globalForPools = globalThis as unknown as { sluicePools?: Map<Role, RolePool> };

function createPool(role: Role): RolePool {
  const config = env();
  if (!config.DATABASE_URL) {
    throw new Error("DATABASE_URL is not set; run `npm run dev` (embedded Postgres) or configure one");
  }
  const credentials = roleCredentials(config, role);
  // A read replica (scale-out) serves the readonly role on its own; no pooler fallback there.
  const replica = role === "readonly" ? config.DATABASE_READONLY_URL : undefined;
  return new RolePool({
    role,
    directUrl: roleUrl(replica ?? config.DATABASE_URL, credentials),
    poolerUrl: !replica && config.DATABASE_POOLER_URL ? roleUrl(config.DATABASE_POOLER_URL, credentials) : undefined,
    size: rolePoolSize(config, role),
    min: Math.min(config.DB_POOL_MIN, rolePoolSize(config, role)),
    maxWaiting: config.DB_POOL_MAX_WAITING,
    acquireTimeoutMs: config.DB_POOL_ACQUIRE_TIMEOUT_MS,
    maxIdleS: config.DB_POOL_MAX_IDLE_S,
    reconnectTimeoutS: config.DB_RECONNECT_TIMEOUT_S,
    connectTimeoutS: config.DB_CONNECT_TIMEOUT_S,
    mode: config.DB_POOL_MODE,
    applicationName: `sluice:${role}:${instanceId()}`.slice(0, 63),
    log: log.child({ component: "pool" }),
  });
}

export function pool(role: Role): RolePool {
  globalForPools.sluicePools ??= new Map();
  let existing = globalForPools.sluicePools.get(role);
  if (!existing) {
    existing = createPool(role);
    globalForPools.sluicePools.set(role, existing);
  }
  return existing;
}

/** Shorthand for the common case: one unit of work on a role's pool. */
export function withRole<T>(role: Role, fn: (unit: Unit) => Promise<T>, options?: { signal?: AbortSignal }): Promise<T> {
  return pool(role).run(fn, options);
}

export function openPools(): RolePool[] {
  return ROLES.flatMap((role) => globalForPools.sluicePools?.get(role) ?? []);
}

export async function closePools(timeoutS = 5): Promise<void> {
  const pools = openPools();
  globalForPools.sluicePools = new Map();
  await Promise.all(pools.map((p) => p.close(timeoutS)));
}
