import "server-only";
import { and, desc, eq, gte, ilike, lt, type SQL } from "drizzle-orm";
import { auditEvents, users } from "@/lib/db/schema";
import { withRole } from "@/lib/db/clients";
import { AUDIT_PAGE_SIZE, type AuditFilter } from "@/lib/fleet/audit-filter";

export interface AuditRow {
  id: number;
  occurredAt: Date;
  actorEmail: string | null;
  actorUserId: string | null;
  actorTokenId: string | null;
  via: string;
  action: string;
  target: string | null;
  outcome: string;
  durationMs: number | null;
  rows: number | null;
  ip: string | null;
  details: Record<string, unknown>;
}

const DAY_MS = 86_400_000;

/**
 * One page of the audit log, newest first, through the admin pool. One row
 * more than the page is fetched to know whether a next page exists, instead
 * of counting a table that only grows.
 */
export async function auditPage(filter: AuditFilter): Promise<{ rows: AuditRow[]; hasNext: boolean }> {
  const conditions: SQL[] = [];
  if (filter.action) conditions.push(eq(auditEvents.action, filter.action));
  if (filter.user) {
    // A user id, or a part of an e-mail address (case-insensitive).
    if (/^[0-9a-f-]{36}$/i.test(filter.user)) conditions.push(eq(auditEvents.actorUserId, filter.user));
    else conditions.push(ilike(users.email, `%${filter.user.replace(/[\\%_]/g, (c) => `\\${c}`)}%`));
  }
  if (filter.from) conditions.push(gte(auditEvents.occurredAt, new Date(`${filter.from}T00:00:00Z`)));
  if (filter.to) conditions.push(lt(auditEvents.occurredAt, new Date(Date.parse(`${filter.to}T00:00:00Z`) + DAY_MS)));

  const rows = await withRole("admin", ({ db }) =>
    db
      .select({
        id: auditEvents.id,
        occurredAt: auditEvents.occurredAt,
        actorEmail: users.email,
        actorUserId: auditEvents.actorUserId,
        actorTokenId: auditEvents.actorTokenId,
        via: auditEvents.via,
        action: auditEvents.action,
        target: auditEvents.target,
        outcome: auditEvents.outcome,
        durationMs: auditEvents.durationMs,
        rows: auditEvents.rows,
        ip: auditEvents.ip,
        details: auditEvents.details,
      })
      .from(auditEvents)
      .leftJoin(users, eq(users.id, auditEvents.actorUserId))
      .where(conditions.length ? and(...conditions) : undefined)
      .orderBy(desc(auditEvents.occurredAt), desc(auditEvents.id))
      .limit(AUDIT_PAGE_SIZE + 1)
      .offset((filter.page - 1) * AUDIT_PAGE_SIZE),
  );
  return { rows: rows.slice(0, AUDIT_PAGE_SIZE), hasNext: rows.length > AUDIT_PAGE_SIZE };
}

/** The actions that occur in the log, for the filter's choices. */
export async function auditActions(): Promise<string[]> {
  const rows = await withRole("admin", ({ db }) =>
    db.selectDistinct({ action: auditEvents.action }).from(auditEvents).orderBy(auditEvents.action).limit(200),
  );
  return rows.map((row) => row.action);
}
