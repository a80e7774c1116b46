import type { AdminStats } from "@/lib/fleet/admin-stats";
import { StatusBadge } from "@/components/layout/status-badge";
import { duration, ms, Panel } from "@/components/admin/stat";

/** Readiness checks with latency, versions, uptime, fallback state and the recent problems of this instance. */
export function HealthPanel({ health }: { health: AdminStats["health"] }) {
  const { readiness, versions } = health;
  const fallback = Object.entries(health.fallbackToDirect)
    .filter(([, on]) => on)
    .map(([role]) => role);
  return (
    <Panel
      title="Health"
      testId="health"
      aside={<StatusBadge ok={readiness.status === "ok"} label={readiness.status === "ok" ? "ready" : `not ready: ${readiness.failed.join(", ")}`} />}
    >
      <table className="w-full text-left text-sm">
        <tbody className="divide-y divide-slate-100">
          {Object.entries(readiness.checks).map(([name, check]) => (
            <tr key={name}>
              <td className="py-1.5 pr-3 font-mono text-xs">{name}</td>
              <td className="py-1.5 pr-3">
                <StatusBadge ok={check.ok} label={check.ok ? (check.busy ? "ok (busy)" : "ok") : "failed"} />
              </td>
              <td className="py-1.5 pr-3 tabular-nums">{check.latencyMs !== undefined ? ms(check.latencyMs) : "—"}</td>
              <td className="py-1.5 text-xs text-slate-500">{check.error ?? (typeof check.mode === "string" ? check.mode : "")}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <dl className="mt-4 grid grid-cols-2 gap-x-4 gap-y-2 text-sm sm:grid-cols-3">
        <Item label="Sluice" value={versions.app} />
        <Item label="Next.js" value={versions.next} />
        <Item label="Node.js" value={versions.node} />
        <Item label="PostgreSQL" value={versions.postgres ?? "unknown"} />
        <Item label="uptime" value={duration(health.uptimeS)} />
        <Item
          label="connection route"
          value={fallback.length ? `direct fallback: ${fallback.join(", ")}` : "as configured"}
          warn={fallback.length > 0}
        />
      </dl>
      <h3 className="mt-5 text-xs font-medium uppercase tracking-wide text-slate-500">Recent errors (this instance)</h3>
      {health.recentErrors.length === 0 ? (
        <p className="mt-2 text-sm text-slate-500" data-testid="no-recent-errors">
          Nothing went wrong recently.
        </p>
      ) : (
        <ul className="mt-2 max-h-48 space-y-1 overflow-y-auto text-sm" data-testid="recent-errors">
          {health.recentErrors.map((entry, i) => (
            <li key={`${entry.at}-${i}`} className="flex gap-2">
              <span className="shrink-0 tabular-nums text-slate-500">{entry.at.slice(11, 19)}</span>
              <span className="shrink-0 font-mono text-xs leading-5 text-slate-600">{entry.source}</span>
              <span className="text-rose-800">{entry.message}</span>
            </li>
          ))}
        </ul>
      )}
    </Panel>
  );
}

function Item({ label, value, warn }: { label: string; value: string; warn?: boolean }) {
  return (
    <div>
      <dt className="text-xs text-slate-500">{label}</dt>
      <dd className={`font-medium ${warn ? "text-amber-800" : ""}`}>{value}</dd>
    </div>
  );
}
