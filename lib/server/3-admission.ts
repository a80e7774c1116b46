import "server-only";
import { singleton } from "@/lib/core/singleton";
import type http from "node:http";
import { monitorEventLoopDelay, performance as perf } from "node:perf_hooks";
import { ApiError } from "@/lib/core/errors";
import { REQUEST_ID_HEADER, requestIdOf } from "@/lib/core/request-id";
import { rolePoolSize } from "@/lib/db/roles";
import { env, type Env } from "@/lib/env";
import { log } from "@/lib/core/log";
import { staticSecurityHeaders } from "@/lib/security/static-headers";
import { reportAdmissionStatsFrom } from "@/lib/metrics/admission-collector";
import { InFlightLimit } from "@/lib/server/3-in-flight-limit";
import { AdaptiveLimit } from "@/lib/server/3-adaptive-limit";
import { RefusalPacer } from "@/lib/server/3-refusal-pacer";
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
 *
 * With API_ADMISSION=adaptive (the default) the limit moves below that
 * maximum with the event loop's delay (lib/server/3-adaptive-limit.ts), and
 * refusals are paced (lib/server/3-refusal-pacer.ts) so that clients retrying
 * at once cannot spend the CPU on being refused.
 */
const COUNTED_PREFIX = "/api/v1/";
const RETRY_AFTER_S = 1;
const SUMMARY_EVERY_MS = 10_000;
/** The controller's window and the loop delay it aims under (see 3-adaptive-limit.ts). */
const CONTROL_WINDOW_MS = 50;
const LAG_TARGET_MS = 20;
/** Enough in flight to keep the CPU busy while some requests wait on Redis and Postgres. */
const ADAPTIVE_FLOOR = 4;
/**
 * Refusals answered at once per 10 ms: 5,000/s, about a quarter of the thread at ~50 µs each
 * (bench/results/PROFILE-refusals.md) — room for an open-loop overload at 5× of capacity — while
 * clients retrying at once are held to it. No refusal waits longer than MAX_REFUSAL_WAIT_MS.
 */
const REFUSALS_PER_WINDOW = 50;
const MAX_REFUSAL_WAIT_MS = 40;
const REFUSAL_WINDOW_MS = 10;
const MAX_HELD_REFUSALS = 4096;

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
  const refuse = refusalWriter(max, config);
  const summary = refusalSummary(max);
  const answer = (refused: Refused) => {
    // A held refusal whose client went away meanwhile is dropped, not written.
    if (refused.response.destroyed || refused.request.socket.destroyed) return;
    refuse(refused.request, refused.response);
  };
  const pacer =
    config.API_ADMISSION === "adaptive"
      ? new RefusalPacer<Refused>(
          REFUSALS_PER_WINDOW,
          REFUSAL_WINDOW_MS,
          MAX_HELD_REFUSALS,
          answer,
          {
            now: () => performance.now(),
            later: (ms, fn) => {
              const timer = setTimeout(fn, ms);
              return () => clearTimeout(timer);
            },
          },
          MAX_REFUSAL_WAIT_MS,
        )
      : null;
  if (config.API_ADMISSION === "adaptive") adaptLimit(limit);
  onServerRequest("admission", (request, response, path) => {
    if (!path.startsWith(COUNTED_PREFIX)) return;
    if (!limit.tryEnter()) {
      if (pacer) pacer.refuse({ request, response });
      else answer({ request, response });
      summary.refused();
      return "handled";
    }
    onResponseDone(response, request.socket, () => limit.leave());
  });
}

interface Refused {
  request: http.IncomingMessage;
  response: http.ServerResponse;
}

/** Every CONTROL_WINDOW_MS, the limit follows the event loop's delay (an unref'd timer: no work when idle beyond a histogram read). */
function adaptLimit(limit: InFlightLimit): void {
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  const controller = new AdaptiveLimit(limit.max, ADAPTIVE_FLOOR, LAG_TARGET_MS);
  let since = perf.eventLoopUtilization();
  setInterval(() => {
    const lagMs = delay.count > 0 ? delay.percentile(99) / 1e6 : 0;
    delay.reset();
    const now = perf.eventLoopUtilization();
    const { utilization } = perf.eventLoopUtilization(now, since);
    since = now;
    limit.setLimit(controller.observe({ lagMs, utilization, limitReached: limit.reachedSinceLastWindow() }));
  }, CONTROL_WINDOW_MS).unref();
}

/** The 503, built once but for its request id: a fixed header list and body, no per-refusal object spreading. */
function refusalWriter(max: number, config: Env): (request: http.IncomingMessage, response: http.ServerResponse) => void {
  const body = Buffer.from(
    JSON.stringify(new ApiError("overloaded", `this instance is at its limit of ${max} API requests in flight; retry shortly`).toBody()),
  );
  // The headers next.config.ts gives every response Next answers.
  const fixed: string[] = staticSecurityHeaders({ production: config.NODE_ENV === "production" }).flatMap((h) => [h.key, h.value]);
  fixed.push(
    "Content-Type",
    "application/json",
    "Content-Length",
    String(body.length),
    "Retry-After",
    String(RETRY_AFTER_S),
    "Cache-Control",
    "no-store",
  );
  return (request, response) => {
    response.writeHead(503, [...fixed, REQUEST_ID_HEADER, requestIdOf(request.headers[REQUEST_ID_HEADER])]);
    response.end(body);
  };
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
