import { route } from "@/lib/server/6-route";
import { getCatalog } from "@/lib/explore/catalog-cache";
import { openApiDocument } from "@/lib/explore/openapi";

/**
 * GET /api/v1/openapi.json: public, so API clients and generators can fetch it without a token.
 * A caller who may read tables (scope tables:read) also gets a path and a row schema per table
 * (from the cached catalog); anyone else gets a document that names no table.
 */
export const GET = route({ auth: "public" }, async ({ request, caller, signal }) => {
  const catalog = caller?.scopes.includes("tables:read") ? await getCatalog(signal) : null;
  return openApiDocument(request.nextUrl.origin, catalog);
});
