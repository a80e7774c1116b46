import { sql } from "drizzle-orm";
import { boolean, index, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { appSchema } from "@/lib/db/schema/app-schema";

export const userRole = appSchema.enum("user_role", ["viewer", "analyst", "admin"]);

export const users = appSchema.table(
  "users",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    email: text("email").notNull(),
    name: text("name").notNull().default(""),
    passwordHash: text("password_hash").notNull(),
    role: userRole("role").notNull().default("viewer"),
    disabled: boolean("disabled").notNull().default(false),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
    passwordChangedAt: timestamp("password_changed_at", { withTimezone: true }).notNull().defaultNow(),
    lastSignInAt: timestamp("last_sign_in_at", { withTimezone: true }),
    /** Set when someone else chose the password (an admin's create or reset, a generated CLI one): the user must replace it at sign-in. */
    mustChangePassword: boolean("must_change_password").notNull().default(false),
  },
  (table) => [
    // Emails compare case-insensitively: one account per address however it is typed.
    uniqueIndex("users_email_lower_key").on(sql`lower(${table.email})`),
    index("users_role_idx").on(table.role),
  ],
);

export type User = typeof users.$inferSelect;
export type NewUser = typeof users.$inferInsert;
