import type { NextRequest } from "next/server";
import { mayReadReadinessDetail, poolSummary, readiness } from "@/lib/server/9-readiness";

/**
 * Readiness: 200 when every role's pool answers, the schema is current and Redis answers; 503
 * otherwise. Public and un-limited, so it is served from one shared probe a second (no pool
 * permit per call); anonymous callers get `{ status }` and the code, admins and the scraper
 * secret (METRICS_TOKEN) the per-check detail and the pool numbers.
 */
export const dynamic = "force-dynamic";

export async function GET(request: NextRequest) {
  const report = await readiness();
  const init = { status: report.status === "ok" ? 200 : 503, headers: { "Cache-Control": "no-store" } };
  if (!(await mayReadReadinessDetail(request))) return Response.json({ status: report.status }, init);
  return Response.json({ ...report, pools: poolSummary() }, init);
}
