import "server-only";
import { createHash } from "node:crypto";
import { auditEvents } from "@/lib/db/schema";
import { ApiError } from "@/lib/core/errors";
import type { Caller } from "@/lib/core/caller";
import { withRole } from "@/lib/db/clients";
import { log } from "@/lib/core/log";
import type { RunOutcome } from "@/lib/explore/sandbox/sandbox";

/**
 * The audit record of one SQL or saved-query run. Unlike identity events (lib/db/queries/audit.ts
 * logs and carries on), a run whose audit row cannot be written fails: a query that leaves no
 * trace is what the audit log exists to prevent. Its own insert because runs have outcomes
 * (cancelled, timeout) the identity log's type does not know.
 */
export interface RunAudit {
  action: "sql.run" | "query.run";
  caller: Caller;
  sql: string;
  params: unknown;
  /** The saved query's id for query.run. */
  target?: string | null;
  durationMs: number;
  rows: number;
  outcome: RunOutcome;
  ip?: string | null;
  /** Error code/reason of a failed run, cache hit flag, format… */
  extra?: Record<string, unknown>;
}

/** How much of a console statement the audit row keeps as text, for the user's query history. */
export const AUDIT_SQL_CHARS = 20_000;

export function sqlHash(sql: string): string {
  return createHash("sha256").update(sql).digest("hex");
}

export async function recordRun(run: RunAudit): Promise<void> {
  const event = {
    action: run.action,
    via: run.caller.via,
    actorUserId: run.caller.userId,
    actorTokenId: run.caller.tokenId ?? null,
    target: run.target ?? null,
    outcome: run.outcome,
    ip: run.ip ?? null,
    durationMs: Math.round(run.durationMs),
    rows: run.rows,
    // A console run keeps its text (history reopens it); a saved query's is in saved_queries.
    details: {
      sqlSha256: sqlHash(run.sql),
      ...(run.action === "sql.run" ? { sql: run.sql.slice(0, AUDIT_SQL_CHARS) } : {}),
      params: run.params,
      ...run.extra,
    },
  };
  try {
    await withRole("app", ({ db }) => db.insert(auditEvents).values(event));
  } catch (error) {
    log.error({ audit: event, err: error instanceof Error ? error.message : String(error) }, "run audit event could not be written");
    throw new ApiError("unavailable", "the run could not be recorded in the audit log; retry shortly", undefined, { "Retry-After": "2" });
  }
}
