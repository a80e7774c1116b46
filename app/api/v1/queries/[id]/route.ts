import { route } from "@/lib/server/6-route";
import { getVisibleQuery } from "@/lib/explore/saved-queries";
import { savedQueryIdParams } from "@/lib/explore/api-schemas";

/** GET /api/v1/queries/{id}: one saved query the caller can see (404 otherwise). */
export const GET = route({ scopes: ["queries:run"], params: savedQueryIdParams }, async ({ caller, params }) =>
  getVisibleQuery({ userId: caller.userId, role: caller.role }, params.id),
);
