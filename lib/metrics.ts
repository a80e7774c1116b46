import "server-only";
import { metrics } from "@/lib/metrics/registry";
import { statusClass } from "@/lib/metrics/route-label";

/**
 * The metrics API the rest of the app uses; the registry and its collectors
 * live in lib/metrics/. Scraped as Prometheus text at /api/metrics.
 */
export interface RequestObservation {
  method: string;
  pathname: string;
  status: number;
  durationMs: number;
  poolWaitMs: number;
}

/** One finished API request: duration by route template and status class, plus its pool wait. */
export function observeRequest(observation: RequestObservation): void {
  const state = metrics();
  const status_class = statusClass(observation.status);
  state.requestDuration.observe(
    { route: state.routes.label(observation.pathname), method: observation.method, status_class },
    observation.durationMs / 1000,
  );
  state.poolWait.observe({ status_class }, observation.poolWaitMs / 1000);
}

/** One API request the direct path took from Next (lib/server/4-direct-api.ts). */
export function countDirectRequest(): void {
  metrics().directRequests.inc();
}

export function markDraining(): void {
  metrics().draining.set(1);
}

export async function renderMetrics(): Promise<{ body: string; contentType: string }> {
  const { registry } = metrics();
  return { body: await registry.metrics(), contentType: registry.contentType };
}
