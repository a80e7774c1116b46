import { formatWhen } from "@/components/format";
import type { AuditRow } from "@/lib/fleet/audit-log";

const OUTCOME_STYLE: Record<string, string> = { ok: "text-emerald-700", denied: "text-amber-700", failed: "text-rose-700" };

export function AuditTable({ rows }: { rows: AuditRow[] }) {
  return (
    <div className="relative overflow-x-auto rounded-xl border border-slate-200 bg-white shadow-sm">
      <table className="w-full text-left text-sm" aria-label="Audit events">
        <thead className="bg-slate-50 text-slate-500">
          <tr>
            <th className="px-4 py-2 font-medium">When</th>
            <th className="px-4 py-2 font-medium">Who</th>
            <th className="px-4 py-2 font-medium">Action</th>
            <th className="px-4 py-2 font-medium">Outcome</th>
            <th className="px-4 py-2 font-medium">Target</th>
            <th className="px-4 py-2 font-medium">Details</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {rows.map((row) => (
            <tr key={row.id} data-testid="audit-row" className="align-top">
              <td className="whitespace-nowrap px-4 py-2 tabular-nums">{formatWhen(row.occurredAt)}</td>
              <td className="px-4 py-2">
                <div>{row.actorEmail ?? (row.actorUserId ? "deleted user" : "—")}</div>
                <div className="text-xs text-slate-500">
                  via {row.via}
                  {row.actorTokenId ? ` · token ${row.actorTokenId}` : ""}
                  {row.ip ? ` · ${row.ip}` : ""}
                </div>
              </td>
              <td className="px-4 py-2 font-mono text-xs">{row.action}</td>
              <td className={`px-4 py-2 ${OUTCOME_STYLE[row.outcome] ?? ""}`}>
                {row.outcome}
                {row.durationMs !== null && (
                  <div className="text-xs text-slate-500">
                    {row.durationMs} ms{row.rows !== null ? ` · ${row.rows} rows` : ""}
                  </div>
                )}
              </td>
              <td className="max-w-48 truncate px-4 py-2 font-mono text-xs" title={row.target ?? undefined}>
                {row.target ?? "—"}
              </td>
              <td className="max-w-md px-4 py-2">
                {Object.keys(row.details).length > 0 ? (
                  <code className="block max-h-20 overflow-hidden break-all text-xs text-slate-600" title={JSON.stringify(row.details)}>
                    {JSON.stringify(row.details)}
                  </code>
                ) : (
                  <span className="text-slate-400">—</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
