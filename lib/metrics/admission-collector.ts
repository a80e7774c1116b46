import "server-only";
import { Counter, Gauge, type Registry } from "prom-client";
import { admissionStats } from "@/lib/server/3-admission";

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
