import { route } from "@/lib/server/6-route";
import { listVisibleQueries } from "@/lib/explore/saved-queries";

/** GET /api/v1/queries: the caller's own saved queries and the shared ones. */
export const GET = route({ scopes: ["queries:run"] }, async ({ caller }) => {
  const queries = await listVisibleQueries({ userId: caller.userId, role: caller.role });
  return { queries };
});
