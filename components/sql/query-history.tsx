import Link from "next/link";
import { formatWhen } from "@/components/format";
import { Badge, type BadgeTone } from "@/components/ui/badge";
import type { HistoryEntry } from "@/lib/explore/history";

const TONE: Record<string, BadgeTone> = { ok: "success", cancelled: "neutral", timeout: "warning", error: "danger" };
const number = new Intl.NumberFormat("en-US");

/** The user's last runs, each one click from reopening: a console statement in the editor, a saved query on its page. */
export function QueryHistory({ entries }: { entries: HistoryEntry[] }) {
  return (
    <section className="rounded-xl border border-slate-200 bg-white shadow-sm" aria-label="Query history">
      <h2 className="border-b border-slate-200 px-4 py-2 text-sm font-semibold text-slate-700">Your recent runs</h2>
      {entries.length === 0 ? (
        <p className="px-4 py-3 text-sm text-slate-500">Nothing yet: runs from the console and of saved queries appear here.</p>
      ) : (
        <ol className="divide-y divide-slate-100" data-testid="query-history">
          {entries.map((entry) => (
            <li key={entry.id} className="flex flex-wrap items-center gap-x-3 gap-y-1 px-4 py-2 text-sm">
              <Badge tone={TONE[entry.outcome] ?? "neutral"}>{entry.outcome}</Badge>
              {entry.action === "sql.run" ? (
                <Link
                  href={`/sql?history=${entry.id}`}
                  className="min-w-0 flex-1 truncate font-mono text-xs text-slate-800 hover:text-brand-700"
                  title={entry.sql ?? undefined}
                >
                  {(entry.sql ?? "").replace(/\s+/g, " ").trim() || "(statement not kept)"}
                </Link>
              ) : entry.query ? (
                <Link href={`/queries/${entry.query.id}`} className="min-w-0 flex-1 truncate font-medium text-brand-700 hover:text-brand-800">
                  {entry.query.name}
                </Link>
              ) : (
                <span className="min-w-0 flex-1 truncate text-slate-500">a saved query that was deleted</span>
              )}
              <span className="text-xs whitespace-nowrap text-slate-500">
                {entry.rows !== null ? `${number.format(entry.rows)} rows · ` : ""}
                {entry.durationMs !== null ? `${number.format(entry.durationMs)} ms · ` : ""}
                {entry.via === "token" ? "API · " : ""}
                {formatWhen(entry.occurredAt)}
              </span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
