import "server-only";
import { singleton } from "@/lib/core/singleton";
import type http from "node:http";
import { ApiError } from "@/lib/core/errors";
import { REQUEST_ID_HEADER, requestIdOf } from "@/lib/core/request-id";
import { rolePoolSize } from "@/lib/db/roles";
import { env, type Env } from "@/lib/env";
import { log } from "@/lib/core/log";
import { staticSecurityHeaders } from "@/lib/security/static-headers";
import { reportAdmissionStatsFrom } from "@/lib/metrics/admission-collector";
import { InFlightLimit } from "@/lib/server/3-in-flight-limit";
import { onResponseDone, onServerRequest } from "@/lib/server/1-server-hook";

/**
 * Admission control for the data API, at the front door of the process.
 *
 * The pool gate refuses work it cannot queue, but only once a request has
 * reached it: past Next's routing, the proxy's rate limit (a Redis round
 * trip) and token authentication (another, plus a user lookup). Under a
 * burst of hundreds of clients that work, spent on requests that end in 503
 * anyway, is what saturates the CPU; every response then waits its turn,
 * the refusals included, and the few requests the pool could serve starve.
 * So /api/v1/* requests are counted from the moment the server receives them
 * to the moment their response closes (or their connection does), and the
 * ones above the limit get 503 + Retry-After before Next sees them:
 * microseconds of work each. Health, metrics, pages and the admin area are
 * not counted, so operators can still look at an overloaded instance.
 *
 * API_MAX_IN_FLIGHT sets the limit; by default what the readonly pool can
 * hold (size + waiting places): more /api/v1 requests than that cannot all be
 * served or queued by the pool anyway. (Twice that was measured too: the
 * refusals' p99 doubled and fewer requests were served; see bench/results.)
 *
 * A client that gives up frees its place when its connection closes, even if
 * its handler is still finishing (the handler's queries are cancelled through
 * the request's abort signal).
 */
const COUNTED_PREFIX = "/api/v1/";
const RETRY_AFTER_S = 1;
const SUMMARY_EVERY_MS = 10_000;

export function apiInFlightLimit(config: Env): number {
  return config.API_MAX_IN_FLIGHT ?? rolePoolSize(config, "readonly") + config.DB_POOL_MAX_WAITING;
}

interface AdmissionState {
  limit: InFlightLimit | null;
}
const state = singleton<AdmissionState>("sluiceAdmission", () => ({ limit: null }));

/** The process's API admission numbers, or null when admission control is off (API_MAX_IN_FLIGHT=0). */
export function admissionStats(): ReturnType<InFlightLimit["stats"]> | null {
  return state.limit?.stats() ?? null;
}
reportAdmissionStatsFrom(admissionStats);

export function installAdmissionControl(): void {
  const config = env();
  const max = apiInFlightLimit(config);
  if (max === 0 || state.limit) return;
  const limit = (state.limit = new InFlightLimit(max));
  const body = JSON.stringify(new ApiError("overloaded", `this instance is at its limit of ${max} API requests in flight; retry shortly`).toBody());
  // The headers next.config.ts gives every response Next answers, built once.
  const securityHeaders = Object.fromEntries(staticSecurityHeaders({ production: config.NODE_ENV === "production" }).map((h) => [h.key, h.value]));
  const summary = refusalSummary(max);
  onServerRequest("admission", (request, response, path) => {
    if (!path.startsWith(COUNTED_PREFIX)) return;
    if (!limit.tryEnter()) {
      refuse(request, response, body, securityHeaders);
      summary.refused();
      return "handled";
    }
    onResponseDone(response, request.socket, () => limit.leave());
  });
}

function refuse(request: http.IncomingMessage, response: http.ServerResponse, body: string, securityHeaders: Record<string, string>): void {
  response.writeHead(503, {
    ...securityHeaders,
    "Content-Type": "application/json",
    "Content-Length": Buffer.byteLength(body),
    "Retry-After": String(RETRY_AFTER_S),
    "Cache-Control": "no-store",
    [REQUEST_ID_HEADER]: requestIdOf(request.headers[REQUEST_ID_HEADER]),
  });
  response.end(body);
}

/** One warning per interval while shedding, not one line per refusal: the log must not add to the overload. */
function refusalSummary(max: number) {
  const shedLog = log.child({ component: "admission" });
  let pending = 0;
  let timer: NodeJS.Timeout | null = null;
  return {
    refused() {
      pending++;
      timer ??= setTimeout(() => {
        shedLog.warn({ refused: pending, limit: max, intervalMs: SUMMARY_EVERY_MS }, "shedding API requests: too many in flight");
        pending = 0;
        timer = null;
      }, SUMMARY_EVERY_MS).unref();
    },
  };
}
