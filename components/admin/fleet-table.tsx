import type { AdminStats } from "@/lib/fleet/admin-stats";
import { ROLES } from "@/lib/db/roles";
import { Panel } from "@/components/admin/stat";

const STATUS_STYLE = {
  ok: "border-emerald-200 bg-emerald-50 text-emerald-800",
  caution: "border-amber-200 bg-amber-50 text-amber-900",
  exhausting: "border-rose-200 bg-rose-50 text-rose-800",
} as const;

/** Every live instance (Redis heartbeats) and the fleet's connections against max_connections. */
export function FleetTable({ fleet, instance }: { fleet: AdminStats["fleet"]; instance: string }) {
  const { summary } = fleet;
  return (
    <Panel
      title="Fleet"
      testId="fleet"
      aside={
        <span className="text-xs text-slate-500">
          {fleet.source === "redis"
            ? "heartbeats in Redis, 15 s TTL"
            : fleet.source === "memory"
              ? "in-memory store: this process only"
              : "this instance only"}
        </span>
      }
    >
      <p
        className={`mb-4 rounded-lg border px-3 py-2 text-sm ${STATUS_STYLE[summary.status]}`}
        role={summary.status === "ok" ? "status" : "alert"}
        data-testid="fleet-warning"
      >
        {summary.status === "exhausting" ? "Warning: " : summary.status === "caution" ? "Caution: " : ""}
        {summary.message}
      </p>
      {fleet.error && <p className="mb-3 text-sm text-amber-800">{fleet.error}</p>}
      <div className="relative overflow-x-auto">
        <table className="w-full text-left text-sm">
          <thead className="text-xs text-slate-500">
            <tr>
              <th className="py-1 pr-3 font-medium">instance</th>
              <th className="py-1 pr-3 font-medium">version</th>
              <th className="py-1 pr-3 font-medium">last beat</th>
              {ROLES.map((role) => (
                <th key={role} className="py-1 pr-3 font-medium" title="in use / open / size · waiting">
                  {role}
                </th>
              ))}
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {fleet.instances.map((beat) => (
              <tr key={beat.instance} data-testid="fleet-row">
                <td className="py-1.5 pr-3 font-mono text-xs">
                  {beat.instance}
                  {beat.instance === instance && <span className="ml-1 text-slate-400">(this)</span>}
                </td>
                <td className="py-1.5 pr-3">{beat.version}</td>
                <td className="py-1.5 pr-3 tabular-nums">{beat.at.slice(11, 19)}</td>
                {ROLES.map((role) => {
                  const pool = beat.pools[role];
                  return (
                    <td key={role} className="py-1.5 pr-3 tabular-nums">
                      {pool ? (
                        <span className={pool.health === "healthy" ? "" : "text-rose-700"}>
                          {pool.inUse} / {pool.open} / {pool.size}
                          {pool.waiting > 0 && <span className="text-amber-700"> · {pool.waiting} waiting</span>}
                        </span>
                      ) : (
                        "—"
                      )}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
          <tfoot className="border-t border-slate-200 font-medium">
            <tr>
              <td className="py-1.5 pr-3" colSpan={3}>
                fleet total ({summary.instances})
              </td>
              {ROLES.map((role) => (
                <td key={role} className="py-1.5 pr-3 tabular-nums">
                  {summary.roles[role].inUse} / {summary.roles[role].open} / {summary.roles[role].capacity}
                </td>
              ))}
            </tr>
          </tfoot>
        </table>
      </div>
      <p className="mt-2 text-xs text-slate-500">
        Cells read in use / open / size. Worst case {summary.potential} connections
        {summary.available !== null ? ` of ${summary.available} Postgres accepts` : ""}; {summary.open} open now.
      </p>
    </Panel>
  );
}
