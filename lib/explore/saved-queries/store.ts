import "server-only";
import { and, desc, eq, or, sql as dsql } from "drizzle-orm";
import { z } from "zod";
import { savedQueries, users, type SavedQuery } from "@/lib/db/schema";
import { ApiError } from "@/lib/core/errors";
import { roleAtLeast, type UserRole } from "@/lib/core/caller";
import {
  assertParametersMatch,
  savedQueryCreateSchema,
  savedQueryUpdateSchema,
  type SavedQueryCreateInput,
} from "@/lib/explore/saved-queries/params";
import { withRole } from "@/lib/db/clients";
import { assertSqlDescribes } from "@/lib/explore/saved-queries/describe";

/**
 * Saved queries, stored through the app role. Visibility: a user sees their own and shared
 * ones; admins see all. Changing one takes its owner (with a role that may write SQL, i.e.
 * analyst or admin) or an admin. Someone who cannot see a query gets "not found", never
 * "forbidden", so ids of private queries leak nothing.
 */
export interface QueryActor {
  userId: string;
  role: UserRole;
}

export type SavedQueryView = SavedQuery & { ownerEmail: string | null; canEdit: boolean };

const idSchema = z.uuid();

function notFound(): ApiError {
  return new ApiError("not_found", "no such saved query");
}

function parseId(id: string): string {
  const parsed = idSchema.safeParse(id);
  if (!parsed.success) throw notFound();
  return parsed.data;
}

const canEdit = (actor: QueryActor, query: SavedQuery) =>
  actor.role === "admin" || (query.ownerId === actor.userId && roleAtLeast(actor.role, "analyst"));

const visibleTo = (actor: QueryActor) =>
  actor.role === "admin" ? undefined : or(eq(savedQueries.ownerId, actor.userId), eq(savedQueries.shared, true));

const columns = { query: savedQueries, ownerEmail: users.email };

function view(actor: QueryActor, row: { query: SavedQuery; ownerEmail: string | null }): SavedQueryView {
  return { ...row.query, ownerEmail: row.ownerEmail, canEdit: canEdit(actor, row.query) };
}

export async function listVisibleQueries(actor: QueryActor, options: { limit?: number } = {}): Promise<SavedQueryView[]> {
  const rows = await withRole("app", ({ db }) =>
    db
      .select(columns)
      .from(savedQueries)
      .leftJoin(users, eq(users.id, savedQueries.ownerId))
      .where(visibleTo(actor))
      .orderBy(desc(savedQueries.updatedAt), desc(savedQueries.id))
      .limit(Math.min(options.limit ?? 500, 1000)),
  );
  return rows.map((row) => view(actor, row));
}

export async function getVisibleQuery(actor: QueryActor, id: string): Promise<SavedQueryView> {
  const queryId = parseId(id);
  const [row] = await withRole("app", ({ db }) =>
    db
      .select(columns)
      .from(savedQueries)
      .leftJoin(users, eq(users.id, savedQueries.ownerId))
      .where(and(eq(savedQueries.id, queryId), visibleTo(actor))),
  );
  if (!row) throw notFound();
  return view(actor, row);
}

export async function createSavedQuery(actor: QueryActor, input: SavedQueryCreateInput): Promise<SavedQuery> {
  if (!roleAtLeast(actor.role, "analyst")) throw new ApiError("forbidden", "saving queries needs the analyst role");
  const data = savedQueryCreateSchema.parse(input);
  await assertSqlDescribes(data.sql, data.parameters);
  const [created] = await withRole("app", ({ db }) =>
    db
      .insert(savedQueries)
      .values({ ...data, ownerId: actor.userId })
      .returning(),
  );
  return created!;
}

export async function updateSavedQuery(actor: QueryActor, id: string, input: unknown): Promise<SavedQuery> {
  const patch = savedQueryUpdateSchema.parse(input);
  const current = await getVisibleQuery(actor, id);
  if (!current.canEdit) throw new ApiError("forbidden", "only the query's owner or an admin may change it");
  const merged = { sql: patch.sql ?? current.sql, parameters: patch.parameters ?? current.parameters };
  assertParametersMatch(merged);
  // A new SQL text, or new types for its values, is checked as it will run.
  if (patch.sql !== undefined || patch.parameters !== undefined) await assertSqlDescribes(merged.sql, merged.parameters);
  const [updated] = await withRole("app", ({ db }) =>
    db
      .update(savedQueries)
      // clock_timestamp(), not now(): the cache key includes updated_at, and two edits in one
      // transaction-start instant must still differ.
      .set({ ...patch, updatedAt: dsql`clock_timestamp()` })
      .where(eq(savedQueries.id, current.id))
      .returning(),
  );
  if (!updated) throw notFound();
  return updated;
}

export async function deleteSavedQuery(actor: QueryActor, id: string): Promise<void> {
  const current = await getVisibleQuery(actor, id);
  if (!current.canEdit) throw new ApiError("forbidden", "only the query's owner or an admin may delete it");
  await withRole("app", ({ db }) => db.delete(savedQueries).where(eq(savedQueries.id, current.id)));
}
