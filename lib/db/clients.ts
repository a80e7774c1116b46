import "server-only";
import { singleton } from "@/lib/core/singleton";
import { env } from "@/lib/env";
import { log } from "@/lib/core/log";
import { instanceId } from "@/lib/db/instance";
import { RolePool, type Unit } from "@/lib/db/pool";
import { ROLES, roleCredentials, rolePoolSize, roleUrl, type Role } from "@/lib/db/roles";

/**
 * One pool per role, created on first use and kept as a process singleton so that dev hot
 * reload and Next's separate server bundles reuse them instead of leaking connections.
 * closePools() empties the map, so pools opened afterwards (tests) are new.
 */
const pools = () => singleton("sluicePools", () => new Map<Role, RolePool>());

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
  let existing = pools().get(role);
  if (!existing) {
    existing = createPool(role);
    pools().set(role, existing);
  }
  return existing;
}

/** The one spelling of "run this on a role's pool": one unit of work, behind the pool's gate. `pool(role)` is for its stats. */
export function withRole<T>(role: Role, fn: (unit: Unit) => Promise<T>, options?: { signal?: AbortSignal }): Promise<T> {
  return pool(role).run(fn, options);
}

export function openPools(): RolePool[] {
  return ROLES.flatMap((role) => pools().get(role) ?? []);
}

export async function closePools(timeoutS = 5): Promise<void> {
  const open = openPools();
  pools().clear();
  await Promise.all(open.map((p) => p.close(timeoutS)));
}
