import { z } from "zod";
import { route } from "@/lib/server/6-route";
import { parseRelationRef } from "@/lib/explore/catalog";
import { streamTableCsv } from "@/lib/explore/table-read";

const params = z.object({ relation: z.string().min(1).max(300) });

/**
 * "Download CSV" in the grid. A plain link cannot send `Accept: text/csv`,
 * so this is the table API's CSV answer behind a link: the same query string
 * and grammar, the same checks and row cap, streamed as an attachment (the
 * body is never held in memory; leaving the download cancels the query).
 */
export const GET = route({ scopes: ["tables:read"], params }, async ({ params, request, signal }) => {
  const ref = parseRelationRef(params.relation);
  const input = { ref, params: request.nextUrl.searchParams, range: null, prefer: null, signal };
  return streamTableCsv(input, `${ref.schema}.${ref.name}`.replace(/[^\w.-]+/g, "_"));
});
