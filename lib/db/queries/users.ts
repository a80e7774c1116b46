import "server-only";
import { asc, eq, and, sql } from "drizzle-orm";
import { users, type User } from "@/lib/db/schema";
import type { UserRole } from "@/lib/core/caller";
import { withRole } from "@/lib/db/clients";

/**
 * Queries on app.users. Sign-in and self-service run as the app role;
 * user management (list, create, change role, disable, reset) as the admin
 * role, so a bug in a viewer-facing path cannot reach admin-only writes
 * through a more privileged connection than it needs.
 */

/** A user as the rest of the app sees it: never the password hash. */
export type UserSummary = Omit<User, "passwordHash">;

const summaryColumns = {
  id: users.id,
  email: users.email,
  name: users.name,
  role: users.role,
  disabled: users.disabled,
  createdAt: users.createdAt,
  updatedAt: users.updatedAt,
  passwordChangedAt: users.passwordChangedAt,
  lastSignInAt: users.lastSignInAt,
  mustChangePassword: users.mustChangePassword,
};

/** E-mails are matched case-insensitively (the unique index is on lower(email)). */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

const byEmail = (email: string) => sql`lower(${users.email}) = ${normaliseEmail(email)}`;

/** With the hash: for sign-in only. */
export async function findUserForSignIn(email: string): Promise<User | null> {
  const rows = await withRole("app", ({ db }) => db.select().from(users).where(byEmail(email)).limit(1));
  return rows[0] ?? null;
}

export async function findUserById(id: string): Promise<UserSummary | null> {
  const rows = await withRole("app", ({ db }) => db.select(summaryColumns).from(users).where(eq(users.id, id)).limit(1));
  return rows[0] ?? null;
}

export async function findUserByEmail(email: string): Promise<UserSummary | null> {
  const rows = await withRole("app", ({ db }) => db.select(summaryColumns).from(users).where(byEmail(email)).limit(1));
  return rows[0] ?? null;
}

export async function findPasswordHash(id: string): Promise<string | null> {
  const rows = await withRole("app", ({ db }) => db.select({ hash: users.passwordHash }).from(users).where(eq(users.id, id)).limit(1));
  return rows[0]?.hash ?? null;
}

export async function recordSignIn(id: string): Promise<void> {
  await withRole("app", ({ db }) =>
    db
      .update(users)
      .set({ lastSignInAt: sql`now()` })
      .where(eq(users.id, id)),
  );
}

/** Self-service password change (app role): a password of the user's own, so nothing more to replace. Returns the new password_changed_at. */
export async function updateOwnPassword(id: string, passwordHash: string): Promise<Date | null> {
  const rows = await withRole("app", ({ db }) =>
    db
      .update(users)
      .set({ passwordHash, mustChangePassword: false, passwordChangedAt: sql`now()`, updatedAt: sql`now()` })
      .where(eq(users.id, id))
      .returning({ at: users.passwordChangedAt }),
  );
  return rows[0]?.at ?? null;
}

export async function listUsers(): Promise<UserSummary[]> {
  return withRole("admin", ({ db }) => db.select(summaryColumns).from(users).orderBy(asc(users.email)));
}

export async function createUser(input: {
  email: string;
  passwordHash: string;
  role: UserRole;
  name?: string;
  /** The password was chosen for the user (an admin, a generated one): they replace it at first sign-in. */
  mustChangePassword?: boolean;
}): Promise<UserSummary> {
  const rows = await withRole("admin", ({ db }) =>
    db
      .insert(users)
      .values({
        email: input.email.trim(),
        passwordHash: input.passwordHash,
        role: input.role,
        name: input.name ?? "",
        mustChangePassword: input.mustChangePassword ?? false,
      })
      .returning(summaryColumns),
  );
  return rows[0]!;
}

export async function updateUserRole(id: string, role: UserRole): Promise<UserSummary | null> {
  const rows = await withRole("admin", ({ db }) =>
    db
      .update(users)
      .set({ role, updatedAt: sql`now()` })
      .where(eq(users.id, id))
      .returning(summaryColumns),
  );
  return rows[0] ?? null;
}

export async function setUserDisabled(id: string, disabled: boolean): Promise<UserSummary | null> {
  const rows = await withRole("admin", ({ db }) =>
    db
      .update(users)
      .set({ disabled, updatedAt: sql`now()` })
      .where(eq(users.id, id))
      .returning(summaryColumns),
  );
  return rows[0] ?? null;
}

/** Admin reset (admin role); moves password_changed_at, which ends older sessions. */
export async function resetUserPassword(id: string, passwordHash: string, mustChangePassword: boolean): Promise<UserSummary | null> {
  const rows = await withRole("admin", ({ db }) =>
    db
      .update(users)
      .set({ passwordHash, mustChangePassword, passwordChangedAt: sql`now()`, updatedAt: sql`now()` })
      .where(eq(users.id, id))
      .returning(summaryColumns),
  );
  return rows[0] ?? null;
}

/** Enabled admins: the last one may not be demoted or disabled, or nobody could manage users. */
export async function countActiveAdmins(): Promise<number> {
  const rows = await withRole("admin", ({ db }) =>
    db
      .select({ n: sql<number>`count(*)::int` })
      .from(users)
      .where(and(eq(users.role, "admin"), eq(users.disabled, false))),
  );
  return rows[0]?.n ?? 0;
}
