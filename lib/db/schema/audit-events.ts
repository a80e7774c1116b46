import { bigserial, index, integer, jsonb, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { appSchema } from "@/lib/db/schema/app-schema";
import { users } from "@/lib/db/schema/users";

/** Append-only record of who did what; written through the app role, never updated. */
export const auditEvents = appSchema.table(
  "audit_events",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    occurredAt: timestamp("occurred_at", { withTimezone: true }).notNull().defaultNow(),
    actorUserId: uuid("actor_user_id").references(() => users.id, { onDelete: "set null" }),
    actorTokenId: text("actor_token_id"),
    /** session | token | cli | system */
    via: text("via").notNull(),
    action: text("action").notNull(),
    target: text("target"),
    outcome: text("outcome").notNull().default("ok"),
    durationMs: integer("duration_ms"),
    rows: integer("rows"),
    ip: text("ip"),
    details: jsonb("details").$type<Record<string, unknown>>().notNull().default({}),
  },
  (table) => [
    index("audit_events_occurred_idx").on(table.occurredAt),
    index("audit_events_actor_idx").on(table.actorUserId, table.occurredAt),
    index("audit_events_action_idx").on(table.action, table.occurredAt),
  ],
);

export type AuditEvent = typeof auditEvents.$inferSelect;
export type NewAuditEvent = typeof auditEvents.$inferInsert;
