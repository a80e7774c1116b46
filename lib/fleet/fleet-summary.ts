import "server-only";
import { ROLES, type Role } from "@/lib/db/roles";
import type { Heartbeat } from "@/lib/fleet/heartbeat-schema";

/**
 * Connections of the whole fleet against the server's limit. Every instance
 * may grow each role's pool to its size, so the worst case is the sum of all
 * sizes over all instances; when that exceeds what Postgres accepts from
 * non-superusers, a burst can exhaust max_connections.
 */
export type FleetStatus = "ok" | "caution" | "exhausting";

export interface FleetRoleTotals {
  open: number;
  inUse: number;
  waiting: number;
  /** Sum of this role's pool size over the instances. */
  capacity: number;
}

export interface FleetSummary {
  instances: number;
  roles: Record<Role, FleetRoleTotals>;
  open: number;
  /** Connections the fleet could open at most (size × roles × instances, as configured). */
  potential: number;
  /** max_connections minus the superuser reserve; null when the server view is unavailable. */
  available: number | null;
  status: FleetStatus;
  message: string;
}

/** Above this share of the available connections, the dashboard cautions. */
export const CAUTION_RATIO = 0.8;

export function summarizeFleet(
  heartbeats: readonly Heartbeat[],
  server: { maxConnections: number; reservedConnections: number } | null,
): FleetSummary {
  const roles = Object.fromEntries(ROLES.map((role) => [role, { open: 0, inUse: 0, waiting: 0, capacity: 0 }])) as Record<Role, FleetRoleTotals>;
  for (const beat of heartbeats) {
    for (const role of ROLES) {
      const stats = beat.pools[role];
      if (!stats) continue;
      roles[role].open += stats.open;
      roles[role].inUse += stats.inUse;
      roles[role].waiting += stats.waiting;
      roles[role].capacity += stats.size;
    }
  }
  const open = ROLES.reduce((sum, role) => sum + roles[role].open, 0);
  const potential = ROLES.reduce((sum, role) => sum + roles[role].capacity, 0);
  const available = server ? Math.max(0, server.maxConnections - server.reservedConnections) : null;
  const base = { instances: heartbeats.length, roles, open, potential, available };

  if (available === null) return { ...base, status: "ok", message: "max_connections unknown (server view unavailable)" };
  const instances = `${heartbeats.length} instance${heartbeats.length === 1 ? "" : "s"}`;
  if (potential > available) {
    return {
      ...base,
      status: "exhausting",
      message: `${instances} could open ${potential} connections but Postgres accepts ${available} (max_connections ${server!.maxConnections} − ${server!.reservedConnections} reserved): lower DB_POOL_SIZE or put a pooler in front`,
    };
  }
  if (potential > available * CAUTION_RATIO) {
    return {
      ...base,
      status: "caution",
      message: `${instances} could use ${potential} of ${available} available connections; little headroom for another instance`,
    };
  }
  return { ...base, status: "ok", message: `${instances} could use at most ${potential} of ${available} available connections` };
}
