import "server-only";
import { ApiError } from "@/lib/api/errors";
import { toApiError } from "@/lib/api/to-api-error";
import type { Caller } from "@/lib/auth/caller";
import { getVisibleQuery, type SavedQueryView } from "@/lib/db/queries/saved-queries";

export type LoadedQuery = { status: "ok"; query: SavedQueryView } | { status: "missing" } | { status: "failed"; message: string };

/** A saved query for a page: "missing" (not found or not visible — the same to the caller) is an answer, not an exception. */
export async function loadQuery(caller: Caller, id: string): Promise<LoadedQuery> {
  try {
    return { status: "ok", query: await getVisibleQuery({ userId: caller.userId, role: caller.role }, id) };
  } catch (error) {
    if (error instanceof ApiError && error.code === "not_found") return { status: "missing" };
    return { status: "failed", message: toApiError(error).message };
  }
}
