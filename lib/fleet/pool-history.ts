import "server-only";
import type { RolePoolStats } from "@/lib/db/pool";
import type { Role } from "@/lib/db/roles";

/**
 * Pure pieces of the 15-minute pool history: one sample per tick, with the
 * request rate derived from the growth of the `served` counter, and the
 * problems that appeared since the previous tick (for the recent-errors list).
 */
export const SAMPLE_EVERY_MS = 5_000;
export const HISTORY_MS = 15 * 60_000;
export const HISTORY_CAPACITY = HISTORY_MS / SAMPLE_EVERY_MS;

export interface RoleSample {
  inUse: number;
  waiting: number;
  waitMsP99: number;
  requestsPerS: number;
}

export interface PoolSample {
  /** Epoch ms. */
  at: number;
  roles: Partial<Record<Role, RoleSample>>;
}

type Counters = Pick<RolePoolStats, "served" | "rejected" | "timedOut" | "errors" | "health" | "inUse" | "waiting" | "waitMsP99"> & {
  connections: Pick<RolePoolStats["connections"], "failed" | "lost" | "lastError">;
};

export interface Observation {
  at: number;
  roles: Partial<Record<Role, Counters>>;
}

export function toSample(previous: Observation | undefined, current: Observation): PoolSample {
  const roles: PoolSample["roles"] = {};
  const seconds = previous ? (current.at - previous.at) / 1000 : 0;
  for (const [role, stats] of Object.entries(current.roles) as [Role, Counters][]) {
    const before = previous?.roles[role];
    // A counter that went down means the pool was recreated: no rate for that tick rather than a negative one.
    const delta = before ? stats.served - before.served : 0;
    const requestsPerS = seconds > 0 && delta > 0 ? Math.round((delta / seconds) * 100) / 100 : 0;
    roles[role] = { inUse: stats.inUse, waiting: stats.waiting, waitMsP99: stats.waitMsP99, requestsPerS };
  }
  return { at: current.at, roles };
}

/** What went wrong between two observations, as one line per role and kind. */
export function newProblems(previous: Observation | undefined, current: Observation): Array<{ source: string; message: string }> {
  if (!previous) return [];
  const problems: Array<{ source: string; message: string }> = [];
  for (const [role, now] of Object.entries(current.roles) as [Role, Counters][]) {
    const before = previous.roles[role];
    if (!before) continue;
    const source = `pool:${role}`;
    const grew = (a: number, b: number) => Math.max(0, b - a);
    if (now.health !== before.health) problems.push({ source, message: `health ${before.health} → ${now.health}` });
    const rejected = grew(before.rejected, now.rejected);
    if (rejected) problems.push({ source, message: `${rejected} request(s) rejected: pool saturated (503)` });
    const timedOut = grew(before.timedOut, now.timedOut);
    if (timedOut) problems.push({ source, message: `${timedOut} request(s) timed out waiting for a connection (503)` });
    const failed = grew(before.connections.failed, now.connections.failed);
    if (failed)
      problems.push({
        source,
        message: `${failed} connection attempt(s) failed${now.connections.lastError ? `: ${now.connections.lastError}` : ""}`,
      });
    const lost = grew(before.connections.lost, now.connections.lost);
    if (lost) problems.push({ source, message: `${lost} connection(s) lost${now.connections.lastError ? `: ${now.connections.lastError}` : ""}` });
    const errors = grew(before.errors, now.errors);
    if (errors) problems.push({ source, message: `${errors} query error(s)` });
  }
  return problems;
}
