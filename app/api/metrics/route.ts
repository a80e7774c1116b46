import type { NextRequest } from "next/server";
import { route } from "@/lib/server/6-route";
import { env } from "@/lib/env";
import { renderMetrics } from "@/lib/metrics";
import { isMetricsToken } from "@/lib/security/metrics-token";

/**
 * Prometheus text for this instance: pools per role, request durations,
 * rate-limit decisions, process stats. Readable by a scraper holding
 * METRICS_TOKEN, or by an admin (session or a token with the admin scope).
 */
export const dynamic = "force-dynamic";

async function metricsResponse(): Promise<Response> {
  const { body, contentType } = await renderMetrics();
  return new Response(body, { headers: { "Content-Type": contentType, "Cache-Control": "no-store" } });
}

const forAdmins = route({ role: "admin", scopes: ["admin"] }, () => metricsResponse());

export async function GET(request: NextRequest, segment: { params: Promise<Record<string, string | string[]>> }): Promise<Response> {
  // The scraper secret is not an slc_ token, so it is checked before the wrapper's authentication would refuse it.
  if (isMetricsToken(request.headers.get("authorization"), env().METRICS_TOKEN)) return metricsResponse();
  return forAdmins(request, segment);
}
