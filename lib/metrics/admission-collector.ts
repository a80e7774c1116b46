import "server-only";
import { Counter, Gauge, type Registry } from "prom-client";
import { singleton } from "@/lib/core/singleton";

/** The front door's numbers (lib/server/3-in-flight-limit.ts stats()). */
export interface AdmissionStats {
  limit: number;
  inFlight: number;
  admitted: number;
  refused: number;
}

// On a process singleton: admission is installed from instrumentation, the registry is read by a route.
const source = singleton("sluiceAdmissionStats", (): { read?: () => AdmissionStats | null } => ({}));

/** Called by lib/server/3-admission.ts: where the gauges read the admission numbers (null: admission is off). */
export function reportAdmissionStatsFrom(read: () => AdmissionStats | null): void {
  source.read = read;
}

function admissionStats(): AdmissionStats | null {
  return source.read?.() ?? null;
}

/** The front-door admission limit of /api/v1 (lib/server/3-admission.ts); absent when it is off. */
export function registerAdmissionMetrics(registry: Registry): void {
  new Gauge({
    name: "sluice_api_in_flight",
    help: "/api/v1 requests this process is handling now, and its limit",
    labelNames: ["kind"] as const,
    registers: [registry],
    collect() {
      const stats = admissionStats();
      if (!stats) return;
      this.set({ kind: "current" }, stats.inFlight);
      this.set({ kind: "limit" }, stats.limit);
    },
  });
  new Counter({
    name: "sluice_api_shed_total",
    help: "/api/v1 requests refused with 503 at the front door because the in-flight limit was reached",
    registers: [registry],
    collect() {
      const stats = admissionStats();
      if (!stats) return;
      this.reset();
      this.inc(stats.refused);
    },
  });
}
