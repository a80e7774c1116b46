import { z } from "zod";
import { route } from "@/lib/server/6-route";
import { requestIp } from "@/lib/auth/request-meta";
import { runSavedQueryCsv, runSavedQueryJson, valuesFromSearchParams } from "@/lib/explore/saved-queries";

const params = z.object({ id: z.string().min(1).max(100), format: z.enum(["csv", "json"]) });

/**
 * "Download CSV / JSON" on a saved query's page. A link cannot send `Accept`, so the format is
 * a path segment (a query-string key could be one of the query's own `{{name}}`s). The same run
 * as /api/v1/queries/{id}/results: its checks, caps and audit; CSV streams as an attachment.
 */
export const GET = route({ scopes: ["queries:run"], params }, async ({ caller, params, request, signal }) => {
  const input = { caller, id: params.id, values: valuesFromSearchParams(request.nextUrl.searchParams), signal, ip: requestIp(request.headers) };
  if (params.format === "csv") return runSavedQueryCsv(input);
  const result = await runSavedQueryJson(input);
  return new Response(JSON.stringify(result), {
    headers: {
      "Content-Type": "application/json; charset=utf-8",
      "Content-Disposition": `attachment; filename="query-${params.id.replace(/[^\w-]+/g, "_")}.json"`,
      "Cache-Control": "no-store",
    },
  });
});
