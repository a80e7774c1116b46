import "server-only";
import { and, count, desc, eq, gte, ilike, inArray, lt, sql, type SQL } from "drizzle-orm";
import { auditEvents, savedQueries, users } from "@/lib/db/schema";
import { withRole } from "@/lib/db/clients";
import { AUDIT_PAGE_SIZE, type AuditFilter } from "@/lib/fleet/audit-filter";
import type { AuditNames } from "@/lib/fleet/audit-summary";

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

export interface AuditPage {
  rows: AuditRow[];
  hasNext: boolean;
  /** Events matching the filter, counted up to COUNT_CAP (`capped`: at least that many). */
  total: number;
  capped: boolean;
  names: AuditNames;
}

const DAY_MS = 86_400_000;
/** The log only grows: matching events are counted up to here, then the pager says "more than". */
export const COUNT_CAP = 10_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function conditionsOf(filter: AuditFilter): SQL[] {
  const conditions: SQL[] = [];
  if (filter.action) conditions.push(eq(auditEvents.action, filter.action));
  if (filter.user) {
    // A user id, or a part of an e-mail address (case-insensitive).
    if (UUID.test(filter.user)) conditions.push(eq(auditEvents.actorUserId, filter.user));
    else conditions.push(ilike(users.email, `%${filter.user.replace(/[\\%_]/g, (c) => `\\${c}`)}%`));
  }
  if (filter.from) conditions.push(gte(auditEvents.occurredAt, new Date(`${filter.from}T00:00:00Z`)));
  if (filter.to) conditions.push(lt(auditEvents.occurredAt, new Date(Date.parse(`${filter.to}T00:00:00Z`) + DAY_MS)));
  return conditions;
}

/**
 * One page of the audit log, newest first, through the admin pool, with the count of matching
 * events (capped) and the names its ids resolve to: users (actor and target), tokens (by the
 * token.create event that named them, so a revoked token keeps its name) and saved queries.
 */
export async function auditPage(filter: AuditFilter): Promise<AuditPage> {
  const conditions = conditionsOf(filter);
  const where = conditions.length ? and(...conditions) : undefined;
  return withRole("admin", async ({ db }) => {
    const rows = await db
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
      .where(where)
      .orderBy(desc(auditEvents.occurredAt), desc(auditEvents.id))
      .limit(AUDIT_PAGE_SIZE + 1)
      .offset((filter.page - 1) * AUDIT_PAGE_SIZE);
    const matching = db
      .select({ one: sql`1` })
      .from(auditEvents)
      .leftJoin(users, eq(users.id, auditEvents.actorUserId))
      .where(where)
      .limit(COUNT_CAP + 1)
      .as("matching");
    const [counted] = await db.select({ total: count() }).from(matching);
    const total = counted?.total ?? 0;
    const page = rows.slice(0, AUDIT_PAGE_SIZE);

    const userIds = new Set<string>();
    const tokenIds = new Set<string>();
    const queryIds = new Set<string>();
    for (const row of page) {
      if (row.actorUserId) userIds.add(row.actorUserId);
      if (row.actorTokenId) tokenIds.add(row.actorTokenId);
      if (row.target && UUID.test(row.target)) (row.action === "query.run" ? queryIds : userIds).add(row.target);
    }
    const [userRows, tokenRows, queryRows] = await Promise.all([
      userIds.size
        ? db
            .select({ id: users.id, email: users.email })
            .from(users)
            .where(inArray(users.id, [...userIds]))
        : [],
      tokenIds.size
        ? db
            .select({ id: sql<string>`${auditEvents.details} ->> 'tokenId'`, name: sql<string>`${auditEvents.details} ->> 'name'` })
            .from(auditEvents)
            .where(and(eq(auditEvents.action, "token.create"), inArray(sql`${auditEvents.details} ->> 'tokenId'`, [...tokenIds])))
        : [],
      queryIds.size
        ? db
            .select({ id: savedQueries.id, name: savedQueries.name })
            .from(savedQueries)
            .where(inArray(savedQueries.id, [...queryIds]))
        : [],
    ]);
    return {
      rows: page,
      hasNext: rows.length > AUDIT_PAGE_SIZE,
      total: Math.min(total, COUNT_CAP),
      capped: total > COUNT_CAP,
      names: {
        users: new Map(userRows.map((row) => [row.id, row.email])),
        tokens: new Map(tokenRows.map((row) => [row.id, row.name])),
        savedQueries: new Map(queryRows.map((row) => [row.id, row.name])),
      },
    };
  });
}

/** The actions that occur in the log, for the filter's choices. */
export async function auditActions(): Promise<string[]> {
  const rows = await withRole("admin", ({ db }) =>
    db.selectDistinct({ action: auditEvents.action }).from(auditEvents).orderBy(auditEvents.action).limit(200),
  );
  return rows.map((row) => row.action);
}
