import "server-only";
import { and, desc, eq, type SQL } from "drizzle-orm";
import { auditEvents, type AuditEvent } from "@/lib/db/schema";
import { log } from "@/lib/core/log";
import { withRole } from "@/lib/db/clients";

/**
 * The audit log: appended through the app role, read through the admin role.
 * Identity events use dotted action names (`auth.sign-in`, `token.create`, …).
 */
export type AuditVia = "session" | "token" | "cli" | "system" | "anonymous";
export type AuditOutcome = "ok" | "denied" | "failed";

export interface AuditInput {
  action: string;
  via: AuditVia;
  actorUserId?: string | null;
  actorTokenId?: string | null;
  target?: string | null;
  outcome?: AuditOutcome;
  ip?: string | null;
  durationMs?: number;
  rows?: number;
  details?: Record<string, unknown>;
}

export async function recordAuditEvent(event: AuditInput): Promise<void> {
  await withRole("app", ({ db }) =>
    db.insert(auditEvents).values({
      action: event.action,
      via: event.via,
      actorUserId: event.actorUserId ?? null,
      actorTokenId: event.actorTokenId ?? null,
      target: event.target ?? null,
      outcome: event.outcome ?? "ok",
      ip: event.ip ?? null,
      durationMs: event.durationMs,
      rows: event.rows,
      details: event.details ?? {},
    }),
  );
}

/**
 * For identity events, where the action has already happened: a failed write
 * must not undo or fail it, but it must not vanish either, so it is logged
 * at error level with the whole event.
 */
export async function audit(event: AuditInput): Promise<void> {
  try {
    await recordAuditEvent(event);
  } catch (error) {
    log.error({ audit: event, err: error instanceof Error ? error.message : String(error) }, "audit event could not be written");
  }
}

export async function listAuditEvents(filter: { action?: string; actorUserId?: string; limit?: number } = {}): Promise<AuditEvent[]> {
  const conditions: SQL[] = [];
  if (filter.action) conditions.push(eq(auditEvents.action, filter.action));
  if (filter.actorUserId) conditions.push(eq(auditEvents.actorUserId, filter.actorUserId));
  return withRole("admin", ({ db }) =>
    db
      .select()
      .from(auditEvents)
      .where(conditions.length ? and(...conditions) : undefined)
      .orderBy(desc(auditEvents.occurredAt), desc(auditEvents.id))
      .limit(Math.min(filter.limit ?? 100, 1000)),
  );
}
