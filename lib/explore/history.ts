import "server-only";
import { and, desc, eq, inArray, sql } from "drizzle-orm";
import { auditEvents, savedQueries } from "@/lib/db/schema";
import { withRole } from "@/lib/db/clients";

export interface HistoryEntry {
  id: number;
  occurredAt: Date;
  action: "sql.run" | "query.run";
  outcome: string;
  durationMs: number | null;
  rows: number | null;
  via: string;
  /** The console statement (sql.run), as the audit row kept it. */
  sql: string | null;
  /** The saved query (query.run), while it exists. */
  query: { id: string; name: string } | null;
}

export const HISTORY_LENGTH = 20;

/**
 * A user's last runs, newest first, from the audit trail (the actor index serves it): what they
 * ran, when, how it ended. Through the app role, which reads the app schema; only the caller's own.
 */
export async function recentRuns(userId: string, limit = HISTORY_LENGTH): Promise<HistoryEntry[]> {
  const rows = await withRole("app", ({ db }) =>
    db
      .select({
        id: auditEvents.id,
        occurredAt: auditEvents.occurredAt,
        action: auditEvents.action,
        outcome: auditEvents.outcome,
        durationMs: auditEvents.durationMs,
        rows: auditEvents.rows,
        via: auditEvents.via,
        sql: sql<string | null>`${auditEvents.details} ->> 'sql'`,
        queryId: savedQueries.id,
        queryName: savedQueries.name,
      })
      .from(auditEvents)
      .leftJoin(savedQueries, sql`${savedQueries.id}::text = ${auditEvents.target} and ${auditEvents.action} = 'query.run'`)
      .where(and(eq(auditEvents.actorUserId, userId), inArray(auditEvents.action, ["sql.run", "query.run"])))
      .orderBy(desc(auditEvents.occurredAt), desc(auditEvents.id))
      .limit(limit),
  );
  return rows.map(({ queryId, queryName, ...row }) => ({
    ...row,
    action: row.action as HistoryEntry["action"],
    query: queryId && queryName ? { id: queryId, name: queryName } : null,
  }));
}

/** The statement of one of the user's own console runs, to reopen it (null if it is not theirs or not a console run). */
export async function historyStatement(userId: string, id: number): Promise<string | null> {
  const [row] = await withRole("app", ({ db }) =>
    db
      .select({ sql: sql<string | null>`${auditEvents.details} ->> 'sql'` })
      .from(auditEvents)
      .where(and(eq(auditEvents.id, id), eq(auditEvents.actorUserId, userId), eq(auditEvents.action, "sql.run")))
      .limit(1),
  );
  return row?.sql ?? null;
}
