import type { PoolSnapshot, ServerPoolView } from "@/lib/fleet/pool-stats";
import { ms, Panel, Stat } from "@/components/admin/stat";

const HEALTH_STYLE = {
  healthy: "bg-emerald-50 text-emerald-700 ring-emerald-200",
  reconnecting: "bg-amber-50 text-amber-800 ring-amber-200",
  down: "bg-rose-50 text-rose-700 ring-rose-200",
} as const;

/** Every number of one role's pool, this instance's view and the server's. */
export function PoolPanel({ stats, server, instance }: { stats: PoolSnapshot; server: ServerPoolView[] | null; instance: string }) {
  const role = stats.role;
  const badge = (
    <div className="flex flex-wrap items-center gap-2 text-xs">
      <span className={`rounded-full px-2 py-0.5 font-medium ring-1 ${HEALTH_STYLE[stats.health]}`} data-testid={`health-${role}`}>
        {stats.health}
      </span>
      <span className="rounded-full bg-slate-100 px-2 py-0.5 text-slate-700">
        {stats.mode} · {stats.fallbackToDirect ? "direct (pooler unreachable)" : stats.target}
      </span>
    </div>
  );
  return (
    <Panel title={`${role} pool`} aside={badge} testId={`pool-${role}`}>
      <dl className="grid grid-cols-2 gap-x-4 gap-y-3 sm:grid-cols-4 lg:grid-cols-8">
        <Stat label="in use" value={stats.inUse} testId={`in-use-${role}`} tone={stats.inUse >= stats.size ? "warn" : "plain"} />
        <Stat label="idle" value={stats.idle} testId={`idle-${role}`} hint="open connections not lent out" />
        <Stat
          label="waiting"
          value={`${stats.waiting} / ${stats.maxWaiting}`}
          testId={`waiting-${role}`}
          tone={stats.waiting > 0 ? "warn" : "plain"}
        />
        <Stat label="size · min · max" value={`${stats.size} · ${stats.min} · ${stats.max}`} />
        <Stat label="served" value={stats.served.toLocaleString("en")} testId={`served-${role}`} />
        <Stat label="queued" value={stats.queued.toLocaleString("en")} hint="had to wait for a connection" />
        <Stat label="rejected" value={stats.rejected} tone={stats.rejected ? "bad" : "plain"} hint="queue full: 503" />
        <Stat label="timed out" value={stats.timedOut} tone={stats.timedOut ? "bad" : "plain"} hint="gave up waiting: 503" />
        <Stat label="wait p50" value={ms(stats.waitMsP50)} />
        <Stat label="wait p95" value={ms(stats.waitMsP95)} />
        <Stat label="wait p99" value={ms(stats.waitMsP99)} testId={`wait-p99-${role}`} />
        <Stat label="wait max" value={ms(stats.waitMsMax)} />
        <Stat label="connections open" value={stats.connections.open} />
        <Stat label="opened" value={stats.connections.opened} />
        <Stat label="failed" value={stats.connections.failed} tone={stats.connections.failed ? "warn" : "plain"} />
        <Stat label="lost" value={stats.connections.lost} tone={stats.connections.lost ? "warn" : "plain"} />
        <Stat label="returned clean" value={stats.returnedClean.toLocaleString("en")} hint="units whose connection went back verified idle" />
        <Stat
          label="client gone · cancelled"
          value={stats.discarded.cancelled.toLocaleString("en")}
          testId={`discarded-cancelled-${role}`}
          hint="connections destroyed because the client went away or the statement was cancelled: not an error"
        />
        <Stat
          label="destroyed dirty"
          value={stats.discarded.dirty.toLocaleString("en")}
          hint="not verifiably idle after their unit (failed mid-result, left a transaction open): destroyed, never reused"
        />
        <Stat label="cancels sent" value={stats.connections.cancelsSent.toLocaleString("en")} hint="only for connections destroyed afterwards" />
      </dl>
      {stats.connections.lastError && <p className="mt-3 text-xs text-amber-800">Last connection error: {stats.connections.lastError}</p>}
      <ServerRows role={role} rows={server} instance={instance} />
    </Panel>
  );
}

function ServerRows({ role, rows, instance }: { role: string; rows: ServerPoolView[] | null; instance: string }) {
  if (rows === null) return <p className="mt-4 text-sm text-slate-500">The server view (pg_stat_activity) is unavailable right now.</p>;
  const mine = rows.filter((row) => row.role === role);
  return (
    <div className="mt-4 border-t border-slate-100 pt-3">
      <h3 className="text-xs font-medium uppercase tracking-wide text-slate-500">Server view (pg_stat_activity)</h3>
      {mine.length === 0 ? (
        <p className="mt-2 text-sm text-slate-500">No connections of this role are open on the server.</p>
      ) : (
        <table className="mt-2 w-full text-left text-sm">
          <thead className="text-xs text-slate-500">
            <tr>
              <th className="py-1 font-medium">instance</th>
              <th className="py-1 font-medium">active</th>
              <th className="py-1 font-medium">idle</th>
              <th className="py-1 font-medium" title="idle in transaction">
                idle in tx
              </th>
              <th className="py-1 font-medium">longest running</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {mine.map((row) => (
              <tr key={row.applicationName} data-testid={`server-row-${role}`}>
                <td className="py-1 font-mono text-xs">
                  {row.instance}
                  {row.instance === instance && <span className="ml-1 text-slate-400">(this)</span>}
                </td>
                <td className="py-1 tabular-nums">{row.active}</td>
                <td className="py-1 tabular-nums">{row.idle}</td>
                <td className={`py-1 tabular-nums ${row.idleInTransaction ? "text-amber-700" : ""}`}>{row.idleInTransaction}</td>
                <td className="max-w-0 py-1">
                  {row.longest ? (
                    <span className="block truncate font-mono text-xs" title={row.longest.query}>
                      <span className="font-sans font-medium">{ms(row.longest.durationMs)}</span> · {row.longest.query}
                    </span>
                  ) : (
                    <span className="text-slate-400">—</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
