import type { NextRequest } from "next/server";
import { route } from "@/lib/server/6-route";
import type { Caller } from "@/lib/core/caller";
import { requestIp } from "@/lib/auth/request-meta";
import { csvFormulas, wantsCsv } from "@/lib/explore/output";
import { valuesFromSearchParams } from "@/lib/explore/saved-queries";
import { runSavedQueryCsv, runSavedQueryJson } from "@/lib/explore/saved-queries";
import { savedQueryIdParams, savedQueryRunBody } from "@/lib/explore/api-schemas";

/**
 * GET|POST /api/v1/queries/{id}/results: runs a saved query. GET takes `{{name}}` values from
 * the query string (`?from=2024-01-01&ids=1&ids=2`), POST from `{ "params": {…} }`.
 */
async function answer(
  caller: Caller,
  id: string,
  values: Record<string, unknown>,
  maxRows: number | undefined,
  request: NextRequest,
  signal: AbortSignal,
) {
  const input = { caller, id, values, maxRows, signal, ip: requestIp(request.headers), csvFormulas: csvFormulas(request.headers.get("accept")) };
  if (wantsCsv(request.headers.get("accept"))) return runSavedQueryCsv(input);
  const result = await runSavedQueryJson(input);
  return Response.json(result, { headers: { "X-Cache": result.cached ? "hit" : "miss", "Cache-Control": "no-store" } });
}

export const GET = route({ scopes: ["queries:run"], params: savedQueryIdParams }, async ({ caller, params, request, signal }) =>
  answer(caller, params.id, valuesFromSearchParams(request.nextUrl.searchParams), undefined, request, signal),
);

export const POST = route(
  { scopes: ["queries:run"], params: savedQueryIdParams, body: savedQueryRunBody, maxBodyBytes: 256 * 1024 },
  async ({ caller, params, body, request, signal }) => answer(caller, params.id, body.params, body.maxRows, request, signal),
);
