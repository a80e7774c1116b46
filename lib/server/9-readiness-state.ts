import "server-only";
import type { CheckResult, Readiness } from "@/lib/core/readiness";

/**
 * The pure halves of readiness (lib/server/9-readiness.ts), no I/O: one probe
 * shared by every caller and kept for about a second, and the live state laid
 * over it on every call. Readiness is public and un-limited, so what a call
 * costs must not grow with how often it is made.
 */

/**
 * `probe` run at most once per `ttlMs`, however many callers ask: callers
 * within the time get the kept answer, callers while it runs share that run.
 * The answer is dated from when its probe started, so it is never older than
 * `ttlMs` plus one probe. A probe that throws is not kept.
 */
export function sharedProbe<T>(probe: () => Promise<T>, options: { ttlMs: number; now?: () => number }): () => Promise<T> {
  const now = options.now ?? Date.now;
  let kept: { at: number; value: T } | null = null;
  let inFlight: Promise<T> | null = null;
  return () => {
    if (kept && now() - kept.at < options.ttlMs) return Promise.resolve(kept.value);
    if (!inFlight) {
      const startedAt = now();
      inFlight = probe()
        .then((value) => {
          kept = { at: startedAt, value };
          return value;
        })
        .finally(() => {
          inFlight = null;
        });
    }
    return inFlight;
  };
}

export interface LiveState {
  /** Each role pool's own view of its database (`pool(role).stats().health`), free to read. */
  pools: Record<string, "healthy" | "reconnecting" | "down">;
  draining: boolean;
}

/**
 * The kept report, corrected by what is known right now at no cost: a pool
 * that saw its connection fail since the probe, or a shutdown that began,
 * fails readiness at once instead of up to a probe later.
 */
export function withLiveState(report: Readiness, live: LiveState): Readiness {
  const checks: Record<string, CheckResult> = { ...report.checks };
  for (const [role, health] of Object.entries(live.pools)) {
    if (health === "healthy") continue;
    checks[`db:${role}`] = { ...checks[`db:${role}`], ok: false, health, error: `the database is unreachable for role ${role} (${health})` };
  }
  // Draining after SIGTERM: tell the load balancer first, before connections start closing.
  if (live.draining) checks.shutdown = { ok: false, error: "the server is shutting down" };
  const failed = Object.keys(checks).filter((name) => !checks[name]!.ok);
  return { status: failed.length ? "fail" : "ok", failed, checks };
}
