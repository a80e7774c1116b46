import "server-only";
import { Counter, type Registry } from "prom-client";
import { appRateLimiter } from "@/lib/ratelimit/runtime";

/** This process's rate-limit decisions since start, per policy and outcome (allowed, limited, fail-open, fail-closed). */
export function registerRateLimitMetrics(registry: Registry): void {
  new Counter({
    name: "sluice_ratelimit_decisions_total",
    help: "Rate-limit decisions taken by this process, by policy and decision",
    labelNames: ["policy", "decision"] as const,
    registers: [registry],
    collect() {
      this.reset();
      const counts = appRateLimiter().localCounts();
      for (const [policy, decisions] of Object.entries(counts)) {
        for (const [decision, value] of Object.entries(decisions)) this.inc({ policy, decision }, value);
      }
    },
  });
}
