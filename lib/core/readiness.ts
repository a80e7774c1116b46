import "server-only";
/**
 * The readiness report's shape: written by lib/server/9-readiness.ts (GET /api/health/ready),
 * read by the admin dashboard (lib/fleet/admin-stats.ts).
 */
export interface CheckResult {
  ok: boolean;
  latencyMs?: number;
  error?: string;
  [key: string]: unknown;
}

export interface Readiness {
  status: "ok" | "fail";
  failed: string[];
  checks: Record<string, CheckResult>;
}
