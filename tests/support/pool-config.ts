import { log } from "@/lib/core/log";
import type { RolePoolConfig } from "@/lib/db/pool";
import type { Role } from "@/lib/db/roles";

/** A RolePool config for tests: small, fast timeouts, a unique application_name to find it server-side. */
export function poolConfig(role: Role, directUrl: string, overrides: Partial<RolePoolConfig> = {}): RolePoolConfig {
  return {
    role,
    directUrl,
    size: 4,
    min: 1,
    maxWaiting: 4,
    acquireTimeoutMs: 1000,
    maxIdleS: 60,
    reconnectTimeoutS: 5,
    connectTimeoutS: 2,
    mode: "pooled",
    applicationName: `sluice:test:${role}:${Math.random().toString(36).slice(2, 8)}`,
    log: log.child({ test: true }),
    ...overrides,
  };
}
