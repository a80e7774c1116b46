import "server-only";
import { ApiError } from "@/lib/core/errors";
import { toApiError } from "@/lib/server/6-to-api-error";
import type { Caller } from "@/lib/core/caller";
import { getVisibleQuery, type SavedQueryView } from "@/lib/explore/saved-queries";

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
