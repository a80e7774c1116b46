import { z } from "zod";
import { route } from "@/lib/server/6-route";
import { csvFormulas, wantsCsv } from "@/lib/explore/output";
import { parseRelationRef } from "@/lib/explore/catalog";
import { readTablePage, streamTableCsv } from "@/lib/explore/table-read";

const params = z.object({ table: z.string().min(1).max(300) });

/**
 * GET /api/v1/tables/{schema.table}: PostgREST's read grammar. The query string is read as is
 * (not through the wrapper's `query` schema), because repeated keys are meaningful filters:
 * `?id=gte.10&id=lt.20`.
 */
export const GET = route({ scopes: ["tables:read"], params }, async ({ params, request, signal }) => {
  const ref = parseRelationRef(params.table);
  const input = {
    ref,
    params: request.nextUrl.searchParams,
    range: request.headers.get("range"),
    prefer: request.headers.get("prefer"),
    signal,
    csvFormulas: csvFormulas(request.headers.get("accept")),
  };
  if (wantsCsv(request.headers.get("accept"))) {
    return streamTableCsv(input, `${ref.schema}.${ref.name}`.replace(/[^\w.-]+/g, "_"));
  }
  const page = await readTablePage(input);
  const headers: Record<string, string> = { "Content-Range": page.contentRange, "Cache-Control": "no-store" };
  return Response.json(page.rows, { status: page.status, headers });
});
