"use client";

import { ROLES } from "@/lib/db/roles";
import { FleetTable } from "@/components/admin/fleet-table";
import { HealthPanel } from "@/components/admin/health-panel";
import { PoolCharts } from "@/components/admin/pool-charts";
import { PoolPanel } from "@/components/admin/pool-panel";
import { RateLimitPanel } from "@/components/admin/rate-limit-panel";
import { POLL_EVERY_MS, useAdminStats } from "@/components/admin/use-poll";

/** The live admin dashboard: everything comes from /api/admin/stats, refreshed in place. */
export function Dashboard() {
  const { data, error, status, updatedAt } = useAdminStats();

  if (!data) {
    if (error) {
      return (
        <div role="alert" className="rounded-xl border border-rose-200 bg-rose-50 p-6 text-rose-800" data-testid="dashboard-error">
          <h2 className="font-semibold">The statistics could not be loaded</h2>
          <p className="mt-1 text-sm">
            {error}
            {status ? ` (HTTP ${status})` : ""}. Retrying every few seconds.
          </p>
        </div>
      );
    }
    return <DashboardSkeleton />;
  }

  return (
    <div className="space-y-6" data-testid="dashboard">
      <div className="flex flex-wrap items-center justify-between gap-2 text-sm text-slate-500">
        <span>
          Instance <span className="font-mono">{data.instance}</span> · refreshes every {POLL_EVERY_MS / 1000} s
        </span>
        <span data-testid="updated-at" className={error ? "text-rose-700" : ""}>
          {error ? `Update failed (${error}); showing data from ` : "Updated "}
          {updatedAt ? new Date(updatedAt).toISOString().slice(11, 19) : ""} UTC
        </span>
      </div>
      <div className="grid gap-4">
        {ROLES.map((role) => {
          const stats = data.pools.local[role];
          return stats ? (
            <PoolPanel key={role} stats={stats} server={data.pools.server?.applications ?? null} instance={data.instance} />
          ) : (
            <div key={role} className="rounded-xl border border-dashed border-slate-300 p-5 text-sm text-slate-500">
              The {role} pool is not configured.
            </div>
          );
        })}
      </div>
      {data.pools.server && !data.pools.server.seesAllActivity && (
        <p className="text-sm text-amber-800" data-testid="server-view-partial">
          The admin database role lacks pg_monitor: the server view counts every connection but cannot see the state or the running statement of other
          roles&apos; connections (their active/idle split and longest statement are missing). A superuser can grant it: GRANT pg_monitor TO the admin
          role.
        </p>
      )}
      {data.pools.serverError && <p className="text-sm text-amber-800">Server view unavailable: {data.pools.serverError}</p>}
      <PoolCharts samples={data.history.samples} sampleEveryMs={data.history.sampleEveryMs} />
      <FleetTable fleet={data.fleet} instance={data.instance} />
      <div className="grid gap-4 lg:grid-cols-2">
        <HealthPanel health={data.health} />
        <RateLimitPanel limits={data.rateLimits} />
      </div>
    </div>
  );
}

function DashboardSkeleton() {
  return (
    <div className="space-y-6" aria-busy="true" aria-label="Loading statistics">
      <div className="grid gap-4">
        {ROLES.map((role) => (
          <div key={role} className="h-56 animate-pulse rounded-xl border border-slate-200 bg-slate-100" />
        ))}
      </div>
      <div className="h-64 animate-pulse rounded-xl border border-slate-200 bg-slate-100" />
    </div>
  );
}
