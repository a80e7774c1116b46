import "server-only";
import { collectPoolStats, poolHistory, type PoolStatsReport } from "@/lib/fleet/pool-stats";
import { SAMPLE_EVERY_MS, type PoolSample } from "@/lib/fleet/pool-history";
import { instanceId } from "@/lib/db/instance";
import type { Readiness } from "@/lib/core/readiness";
import { log } from "@/lib/core/log";
import { appRateLimiter } from "@/lib/ratelimit/runtime";
import type { RateLimitCounters, TopLimited } from "@/lib/ratelimit/counters";
import type { LocalCounts } from "@/lib/ratelimit/limiter";
import { resolvePolicies, type PolicyName } from "@/lib/ratelimit/policies";
import { env } from "@/lib/env";
import { keys } from "@/lib/redis/keys";
import { appStore } from "@/lib/redis/runtime";
import { summarizeFleet, type FleetSummary } from "@/lib/fleet/fleet-summary";
import { buildHeartbeat, heartbeatStartedAt, readFleet } from "@/lib/fleet/heartbeat";
import type { Heartbeat } from "@/lib/fleet/heartbeat-schema";
import { recentErrors, recordRecentError, type RecentError } from "@/lib/fleet/recent-errors";
import { APP_VERSION, NEXT_VERSION, NODE_VERSION } from "@/lib/fleet/versions";

/** The whole admin dashboard in one JSON document (GET /api/admin/stats). */
export interface AdminStats {
  at: string;
  instance: string;
  pools: PoolStatsReport;
  history: { sampleEveryMs: number; samples: PoolSample[] };
  fleet: { instances: Heartbeat[]; summary: FleetSummary; source: "redis" | "memory" | "local"; error?: string };
  health: {
    readiness: Readiness;
    versions: { app: string; next: string; node: string; postgres: string | null };
    uptimeS: number;
    startedAt: string;
    fallbackToDirect: Record<string, boolean>;
    recentErrors: RecentError[];
  };
  rateLimits: {
    store: "redis" | "memory";
    counters: RateLimitCounters | null;
    local: LocalCounts;
    policies: Array<{ name: PolicyName; limit: number; windowMs: number; failMode: "open" | "closed"; description: string }>;
    /** The identifiers refused most often in the last 15 minutes; null when Redis could not be read. */
    topLimited: TopLimited[] | null;
    error?: string;
  };
}

const processStartedAt = new Date(Date.now() - process.uptime() * 1000);

async function fleetView(pools: PoolStatsReport): Promise<AdminStats["fleet"]> {
  // This instance with fresh numbers, whatever its last heartbeat said.
  const self = buildHeartbeat(pools.local, heartbeatStartedAt() ?? processStartedAt);
  let instances: Heartbeat[] = [self];
  let source: AdminStats["fleet"]["source"] = "local";
  let error: string | undefined;
  try {
    const store = appStore();
    const others = (await readFleet(store, keys)).filter((beat) => beat.instance !== self.instance);
    instances = [...others, self].sort((a, b) => a.instance.localeCompare(b.instance));
    source = store.kind;
  } catch (failure) {
    error = `fleet unavailable, showing this instance only: ${failure instanceof Error ? failure.message : String(failure)}`;
  }
  return { instances, summary: summarizeFleet(instances, pools.server), source, ...(error ? { error } : {}) };
}

async function rateLimitView(): Promise<AdminStats["rateLimits"]> {
  const limiter = appRateLimiter();
  const policies = Object.values(resolvePolicies(env())).map(({ name, limit, windowMs, failMode, description }) => ({
    name,
    limit,
    windowMs,
    failMode,
    description,
  }));
  try {
    const counters = await limiter.counters({ minutes: 15 });
    return { store: limiter.kind, counters, local: limiter.localCounts(), policies, topLimited: counters.topLimited };
  } catch (error) {
    log.warn({ err: error instanceof Error ? error.message : String(error) }, "rate-limit counters unavailable");
    return {
      store: limiter.kind,
      counters: null,
      local: limiter.localCounts(),
      policies,
      topLimited: null,
      error: "rate-limit counters unavailable (Redis)",
    };
  }
}

/** `readiness` is the readiness check (lib/server/9-readiness.ts), passed in by the route: features do not import lib/server. */
export async function adminStats(readiness: () => Promise<Readiness>): Promise<AdminStats> {
  // Pool snapshots first: the readiness probes below would otherwise count themselves as "in use".
  const pools = await collectPoolStats();
  const [ready, fleet, rateLimits] = await Promise.all([readiness(), fleetView(pools), rateLimitView()]);
  for (const name of ready.failed) recordRecentError(`readiness:${name}`, String(ready.checks[name]?.error ?? "failed"));
  return {
    at: new Date().toISOString(),
    instance: instanceId(),
    pools,
    history: { sampleEveryMs: SAMPLE_EVERY_MS, samples: poolHistory() },
    fleet,
    health: {
      readiness: ready,
      versions: { app: APP_VERSION, next: NEXT_VERSION, node: NODE_VERSION, postgres: pools.server?.serverVersion ?? null },
      uptimeS: Math.round(process.uptime()),
      startedAt: processStartedAt.toISOString(),
      fallbackToDirect: Object.fromEntries(Object.entries(pools.local).map(([role, s]) => [role, s.fallbackToDirect])),
      recentErrors: recentErrors(),
    },
    rateLimits,
  };
}
