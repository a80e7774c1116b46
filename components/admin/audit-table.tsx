import { formatWhen } from "@/components/format";
import { Badge, type BadgeTone } from "@/components/ui/badge";
import type { AuditRow } from "@/lib/fleet/audit-log";
import { summarizeAuditEvent, tokenName, userName, type AuditNames } from "@/lib/fleet/audit-summary";

const OUTCOME_TONE: Record<string, BadgeTone> = {
  ok: "success",
  denied: "warning",
  failed: "danger",
  error: "danger",
  timeout: "warning",
  cancelled: "warning",
};

/** The ids of an event, with the names they resolve to (or the id alone, when the thing is gone). */
function Identities({ row, names }: { row: AuditRow; names: AuditNames }) {
  const items: Array<[string, string]> = [];
  if (row.actorUserId) items.push(["actor", `${row.actorEmail ?? userName(row.actorUserId, names)} · ${row.actorUserId}`]);
  if (row.actorTokenId) items.push(["token", `${tokenName(row.actorTokenId, names)} · ${row.actorTokenId}`]);
  if (row.target) {
    const named = names.users.get(row.target) ?? names.savedQueries.get(row.target);
    items.push(["target", named ? `${named} · ${row.target}` : row.target]);
  }
  items.push(["via", row.via]);
  if (row.ip) items.push(["ip", row.ip]);
  if (row.durationMs !== null) items.push(["duration", `${row.durationMs} ms`]);
  if (row.rows !== null) items.push(["rows", String(row.rows)]);
  return (
    <dl className="grid grid-cols-[auto_minmax(0,1fr)] gap-x-3 gap-y-0.5 text-xs">
      {items.map(([label, value]) => (
        <div key={label} className="contents">
          <dt className="text-slate-500">{label}</dt>
          <dd className="break-words font-mono text-slate-700">{value}</dd>
        </div>
      ))}
    </dl>
  );
}

/** One line per event in plain words; its ids and raw details folded underneath. */
export function AuditTable({ rows, names }: { rows: AuditRow[]; names: AuditNames }) {
  return (
    <ol className="divide-y divide-slate-100 rounded-xl border border-slate-200 bg-white shadow-sm" aria-label="Audit events">
      {rows.map((row) => (
        <li key={row.id} data-testid="audit-row" className="px-4 py-3">
          {/* On a phone the sentence takes its own line under the time and outcome. */}
          <div className="flex flex-wrap items-baseline gap-x-3 gap-y-1">
            <time className="whitespace-nowrap text-xs tabular-nums text-slate-500" dateTime={row.occurredAt.toISOString()}>
              {formatWhen(row.occurredAt)}
            </time>
            <span
              className="order-last min-w-0 basis-full break-words text-sm text-slate-900 sm:order-none sm:flex-1 sm:basis-0"
              data-testid="audit-summary"
            >
              {summarizeAuditEvent(row, names)}
            </span>
            <span className="ml-auto">
              <Badge tone={OUTCOME_TONE[row.outcome] ?? "neutral"}>{row.outcome}</Badge>
            </span>
          </div>
          <details className="mt-1 group">
            <summary className="cursor-pointer select-none text-xs text-slate-500 hover:text-slate-800">
              <code className="font-mono">{row.action}</code> · details
            </summary>
            <div className="mt-2 space-y-2 rounded-lg bg-slate-50 p-3">
              <Identities row={row} names={names} />
              {Object.keys(row.details).length > 0 && (
                <pre className="max-h-64 overflow-auto whitespace-pre-wrap break-words font-mono text-xs text-slate-700">
                  {JSON.stringify(row.details, null, 2)}
                </pre>
              )}
            </div>
          </details>
        </li>
      ))}
    </ol>
  );
}
