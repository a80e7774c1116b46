import "server-only";
import type http from "node:http";
import { ApiError } from "../api/errors";
import { rolePoolSize } from "../db/roles";
import { env, type Env } from "../env";
import { log } from "../log";
import { InFlightLimit } from "./in-flight-limit";
import { onServerRequest } from "./server-hook";

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
 * to the moment their response closes, and the ones above the limit get 503 +
 * Retry-After before Next sees them: microseconds of work each. Health,
 * metrics, pages and the admin area are not counted, so operators can still
 * look at an overloaded instance.
 *
 * API_MAX_IN_FLIGHT sets the limit; by default twice what the readonly pool
 * can hold (size + waiting places), leaving room for requests that are still
 * in the proxy or authentication and for the app-pool lookups they make.
 */
const COUNTED_PREFIX = "/api/v1/";
const RETRY_AFTER_S = 1;
const SUMMARY_EVERY_MS = 10_000;

export function apiInFlightLimit(config: Env): number {
  return config.API_MAX_IN_FLIGHT ?? 2 * (rolePoolSize(config, "readonly") + config.DB_POOL_MAX_WAITING);
}

interface AdmissionState {
  limit: InFlightLimit | null;
}
const globalForAdmission = globalThis as unknown as { sluiceAdmission?: AdmissionState };
const state = (globalForAdmission.sluiceAdmission ??= { limit: null });

/** The process's API admission numbers, or null when admission control is off (API_MAX_IN_FLIGHT=0). */
export function admissionStats(): ReturnType<InFlightLimit["stats"]> | null {
  return state.limit?.stats() ?? null;
}

export function installAdmissionControl(): void {
  const max = apiInFlightLimit(env());
  if (max === 0 || state.limit) return;
  const limit = (state.limit = new InFlightLimit(max));
  const body = JSON.stringify(
    new ApiError("overloaded", `this instance is at its limit of ${max} API requests in flight; retry shortly`).toBody(),
  );
  const summary = refusalSummary(max);
  onServerRequest("admission", (request, response) => {
    if (!request.url?.startsWith(COUNTED_PREFIX)) return;
    if (!limit.tryEnter()) {
      refuse(response, body);
      summary.refused();
      return "handled";
    }
    response.once("close", () => limit.leave());
  });
}

function refuse(response: http.ServerResponse, body: string): void {
  response.writeHead(503, {
    "Content-Type": "application/json",
    "Content-Length": Buffer.byteLength(body),
    "Retry-After": String(RETRY_AFTER_S),
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
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
