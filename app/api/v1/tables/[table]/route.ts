import { z } from "zod";
import { route } from "@/lib/server/6-route";
import { serveDirectly } from "@/lib/server/6-direct-route";
import { env } from "@/lib/env";
import { chooseMedia, csvFormulas } from "@/lib/explore/output";
import { resolveProfiledRef } from "@/lib/explore/catalog";
import { readOnlyRefusal } from "@/lib/explore/read-only";
import { streamTableCsv, streamTableJson } from "@/lib/explore/table-read";

const params = z.object({ table: z.string().min(1).max(300) });

/**
 * GET /api/v1/tables/{table}: PostgREST's read grammar. `{table}` is `schema.table`, or a
 * name in the schema `Accept-Profile` picks (default: the first of DATA_SCHEMAS). The query
 * string is read as is (not through the wrapper's `query` schema), because repeated keys are
 * meaningful filters: `?id=gte.10&id=lt.20`.
 */
export const GET = route({ scopes: ["tables:read"], params }, async ({ params, request, signal }) => {
  const schemas = env().DATA_SCHEMAS;
  const { ref, profile } = resolveProfiledRef(params.table, request.headers.get("accept-profile"), schemas);
  const input = {
    ref,
    params: request.nextUrl.searchParams,
    range: request.headers.get("range"),
    prefer: request.headers.get("prefer"),
    signal,
    csvFormulas: csvFormulas(request.headers.get("accept")),
  };
  const media = chooseMedia(request.headers.get("accept"));
  const response =
    media === "csv"
      ? await streamTableCsv(input, `${ref.schema}.${ref.name}`.replace(/[^\w.-]+/g, "_"))
      : await streamTableJson(input, media, { headOnly: request.method === "HEAD" });
  // As PostgREST: the schema read, when there is more than one to choose from.
  if (schemas.length > 1) response.headers.set("Content-Profile", profile);
  return response;
});

/** HEAD: the same answer's status and headers (count, Content-Range), without the body. */
export const HEAD = GET;

// Token-authenticated reads are answered before Next once this module is loaded (lib/server/4-direct-api.ts).
serveDirectly("/api/v1/tables/", "table", { GET, HEAD });

const refuse = route({ auth: "public", params }, async ({ request }) => {
  throw readOnlyRefusal(request.method, "on a table");
});

export const POST = refuse;
export const PATCH = refuse;
export const PUT = refuse;
export const DELETE = refuse;
