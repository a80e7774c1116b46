"use client";

import { useState } from "react";
import { signalQueryAction } from "@/actions/admin-queries";
import { usePoll } from "@/components/admin/use-poll";
import { ActionButton } from "@/components/forms/action-button";
import { Badge } from "@/components/ui/badge";
import { TableShell, TD, TH } from "@/components/ui/table-shell";
import type { RunningQueriesReport, RunningQuery } from "@/lib/fleet/running-queries";

/** Refreshed this often while not paused (the brief: live, about every 2 s). */
export const QUERIES_POLL_MS = 2000;

export function formatDuration(ms: number | null): string {
  if (ms === null) return "—";
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.floor((ms % 60_000) / 1000);
  return minutes < 60
    ? `${minutes} min ${String(seconds).padStart(2, "0")} s`
    : `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, "0")} min`;
}

function Who({ query }: { query: RunningQuery }) {
  const run = query.runBy;
  if (!run) {
    return <span className="text-slate-500">{query.role === "readonly" ? "unknown (not tagged)" : "Sluice itself"}</span>;
  }
  return (
    <div>
      <div className="font-medium text-slate-900" data-testid="query-user">
        {run.email}
      </div>
      <div className="text-xs text-slate-500" data-testid="query-via">
        {run.via === "token" ? `via token “${run.tokenName ?? run.tokenId ?? "?"}”` : "via session"} ·{" "}
        {run.action === "query.run" ? "saved query" : "SQL"}
      </div>
    </div>
  );
}

/** A cell; on a phone a line of its card (no row borders, no nowrap). */
const CELL = `${TD} max-sm:block max-sm:whitespace-normal max-sm:border-0 max-sm:py-1`;

const STATE_TONE: Record<string, "success" | "warning" | "danger" | "neutral"> = {
  active: "success",
  "idle in transaction": "warning",
  "idle in transaction (aborted)": "danger",
};

function Signals({ query }: { query: RunningQuery }) {
  if (!query.signallable) return <span className="text-xs text-slate-400">the admin role&apos;s own</span>;
  const who = query.runBy ? `${query.runBy.email}'s query` : `the ${query.role} role's statement`;
  const idleInTransaction = query.state?.startsWith("idle in transaction") ?? false;
  return (
    <div className="flex gap-2">
      <ActionButton
        action={signalQueryAction}
        fields={{ pid: String(query.pid), signal: "cancel" }}
        label="Cancel"
        pendingLabel="Cancelling…"
        tone="danger"
        ariaLabel={`Cancel backend ${query.pid}`}
        confirm={`Cancel ${who} (backend ${query.pid})? Its statement stops with an error; the session stays.`}
      />
      <ActionButton
        action={signalQueryAction}
        fields={{ pid: String(query.pid), signal: "terminate" }}
        label="Terminate"
        pendingLabel="Terminating…"
        tone={idleInTransaction ? "danger" : "neutral"}
        ariaLabel={`Terminate backend ${query.pid}`}
        confirm={
          idleInTransaction
            ? `Terminate backend ${query.pid}? It has held a transaction open without running anything; its session ends and the transaction is rolled back.`
            : `Terminate backend ${query.pid} while it runs ${who}? Its whole database session ends — use Cancel unless Cancel did not stop it.`
        }
      />
    </div>
  );
}

/** The admins' running-queries view: /api/admin/queries every QUERIES_POLL_MS, pausable, with Cancel and Terminate. */
export function RunningQueries() {
  const [paused, setPaused] = useState(false);
  const { data, error, updatedAt } = usePoll<RunningQueriesReport>("/api/admin/queries", QUERIES_POLL_MS, paused);

  return (
    <div className="space-y-4" data-testid="running-queries">
      <div className="flex flex-wrap items-center justify-between gap-2 text-sm text-slate-500">
        <span data-testid="queries-updated" className={error ? "text-rose-700" : ""}>
          {error ? `Update failed (${error}); showing data from ` : paused ? "Paused at " : "Updated "}
          {updatedAt ? `${new Date(updatedAt).toISOString().slice(11, 19)} UTC` : "—"}
          {paused || error ? "" : ` · every ${QUERIES_POLL_MS / 1000} s`}
        </span>
        <button
          type="button"
          onClick={() => setPaused((value) => !value)}
          aria-pressed={paused}
          className="rounded-md px-2.5 py-1 text-sm font-medium text-slate-700 ring-1 ring-slate-300 hover:bg-slate-50"
        >
          {paused ? "Resume" : "Pause"}
        </button>
      </div>
      {data && !data.seesAllActivity && (
        <p className="rounded-lg border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900" role="status">
          The admin database role lacks pg_monitor: other roles&apos; state and SQL read as empty. A superuser can grant it: GRANT pg_monitor TO the
          admin role.
        </p>
      )}
      {data && !data.canSignal && (
        <p className="rounded-lg border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900" role="status">
          The admin database role lacks pg_signal_backend: Cancel and Terminate will be refused. A superuser can grant it: GRANT pg_signal_backend TO
          the admin role.
        </p>
      )}
      {!data ? (
        <p className="rounded-xl border border-dashed border-slate-300 bg-white p-6 text-sm text-slate-500" aria-busy={!error}>
          {error ? `The running queries could not be loaded: ${error}` : "Loading the running queries…"}
        </p>
      ) : data.queries.length === 0 ? (
        <p className="rounded-xl border border-dashed border-slate-300 bg-white p-6 text-sm text-slate-500" data-testid="queries-empty">
          Nothing is running: no backend of Sluice&apos;s roles is active or in a transaction.
        </p>
      ) : (
        <TableShell label="Running queries">
          {/* On a phone each backend is a stacked card (a six-column table would show only its first column). */}
          <table className="w-full text-sm max-sm:block" aria-label="Running queries">
            <thead className="max-sm:hidden">
              <tr>
                <th className={TH}>Who</th>
                <th className={TH}>Role · pid</th>
                <th className={TH}>State</th>
                <th className={`${TH} text-right`}>Duration</th>
                <th className={TH}>SQL</th>
                <th className={TH}>
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody className="max-sm:block max-sm:divide-y max-sm:divide-slate-100">
              {data.queries.map((query) => (
                <tr key={query.pid} data-testid="running-query" data-pid={query.pid} className="max-sm:block max-sm:py-2">
                  <td className={CELL}>
                    <Who query={query} />
                  </td>
                  <td className={CELL}>
                    <span className="sm:block">{query.role}</span>
                    <span className="font-mono text-xs text-slate-500 max-sm:ml-2 sm:block">{query.pid}</span>
                  </td>
                  <td className={CELL}>
                    <Badge tone={STATE_TONE[query.state ?? ""] ?? "neutral"}>{query.state ?? "hidden"}</Badge>
                    {query.waitEvent && <div className="mt-1 text-xs text-slate-500">{query.waitEvent}</div>}
                  </td>
                  <td
                    className={`${CELL} tabular-nums sm:text-right`}
                    title={query.transactionMs !== null ? `transaction: ${formatDuration(query.transactionMs)}` : undefined}
                  >
                    <span className="text-slate-500 sm:hidden">{query.state === "active" ? "running for " : "idle for "}</span>
                    {formatDuration(query.durationMs)}
                  </td>
                  <td className={`${CELL} whitespace-normal sm:min-w-64 sm:max-w-xl`}>
                    <code
                      className="line-clamp-3 whitespace-pre-wrap break-words font-mono text-xs text-slate-700"
                      title={query.query ?? undefined}
                      data-testid="query-sql"
                    >
                      {query.query ?? "—"}
                    </code>
                  </td>
                  <td className={CELL}>
                    <Signals query={query} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableShell>
      )}
    </div>
  );
}
