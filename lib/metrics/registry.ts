import "server-only";
import { singleton } from "@/lib/core/singleton";
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import { registerAdmissionMetrics } from "@/lib/metrics/admission-collector";
import { registerPoolMetrics } from "@/lib/metrics/pool-collectors";
import { registerRateLimitMetrics } from "@/lib/metrics/ratelimit-collector";
import { RouteLabels } from "@/lib/metrics/route-label";

/**
 * One registry per process, on globalThis: prom-client refuses a second
 * metric with the same name, and Next loads server modules in several bundles
 * (route handlers, proxy, instrumentation), each of which would otherwise
 * build its own copy.
 */
export interface MetricsState {
  registry: Registry;
  requestDuration: Histogram<"route" | "method" | "status_class">;
  poolWait: Histogram<"status_class">;
  draining: Gauge;
  directRequests: Counter;
  routes: RouteLabels;
}

function createMetrics(): MetricsState {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  registerPoolMetrics(registry);
  registerRateLimitMetrics(registry);
  registerAdmissionMetrics(registry);
  return {
    registry,
    requestDuration: new Histogram({
      name: "sluice_http_request_duration_seconds",
      help: "Duration of API requests through the route wrapper, by route template, method and status class",
      labelNames: ["route", "method", "status_class"] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    poolWait: new Histogram({
      name: "sluice_http_request_pool_wait_seconds",
      help: "Per request: total time spent waiting for database pool permits",
      labelNames: ["status_class"] as const,
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    draining: new Gauge({
      name: "sluice_shutdown_draining",
      help: "1 once SIGTERM/SIGINT arrived and the process is finishing in-flight requests",
      registers: [registry],
    }),
    directRequests: new Counter({
      name: "sluice_http_direct_requests_total",
      help: "API requests answered on the direct path (lib/server/4-direct-api.ts), without Next's router and proxy",
      registers: [registry],
    }),
    routes: new RouteLabels(),
  };
}

export function metrics(): MetricsState {
  return singleton("sluiceMetrics", createMetrics);
}
