import { boolean, index, integer, jsonb, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { appSchema } from "@/lib/db/schema/app-schema";
import { users } from "@/lib/db/schema/users";

/** A typed `{{name}}` parameter of a saved query (lib/explore/sql/parameter-types.ts: what each type is cast to). */
export interface SavedQueryParameter {
  name: string;
  type: "text" | "number" | "integer" | "date" | "timestamp" | "boolean" | "list";
  label?: string;
  default?: string | number | string[];
  required?: boolean;
}

export const CHART_TYPES = ["bar", "line", "area", "scatter", "pie"] as const;

/** How a saved query's result is charted: columns by name, as the result names them. */
export interface SavedQueryChart {
  type: (typeof CHART_TYPES)[number];
  x: string;
  /** One or more value columns (a pie uses the first). */
  y: string[];
  /** A column whose values split the first y column into one line/bar per value. */
  series?: string;
}

export const savedQueries = appSchema.table(
  "saved_queries",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    ownerId: uuid("owner_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    description: text("description").notNull().default(""),
    sql: text("sql").notNull(),
    parameters: jsonb("parameters").$type<SavedQueryParameter[]>().notNull().default([]),
    shared: boolean("shared").notNull().default(false),
    /** Seconds a result may be served from the Redis cache; 0 = never cached. */
    cacheMaxAgeS: integer("cache_max_age_s").notNull().default(0),
    /** The chart saved with the query; null = none. */
    chart: jsonb("chart").$type<SavedQueryChart>(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [index("saved_queries_owner_idx").on(table.ownerId), index("saved_queries_shared_idx").on(table.shared)],
);

export type SavedQuery = typeof savedQueries.$inferSelect;
export type NewSavedQuery = typeof savedQueries.$inferInsert;
