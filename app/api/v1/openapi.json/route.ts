import { route } from "@/lib/server/6-route";
import { openApiDocument } from "@/lib/explore/openapi";

/** GET /api/v1/openapi.json: public, so API clients and generators can fetch it without a token. */
export const GET = route({ auth: "public" }, async ({ request }) => openApiDocument(request.nextUrl.origin));
