import "server-only";
import { ApiError } from "@/lib/core/errors";
import type { CheckResult, Readiness } from "@/lib/core/readiness";
import { pool } from "@/lib/db/clients";
import { isPoolError } from "@/lib/db/pool";
import { migrationStatus, type MigrationStatus } from "@/lib/db/migration-status";
import { ROLES, type Role } from "@/lib/db/roles";
import { redisReadiness } from "@/lib/redis/runtime";
import { isDraining } from "@/lib/server/2-shutdown";

const CHECK_TIMEOUT_MS = 3000;

async function timed<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<{ value: T; latencyMs: number }> {
  const started = performance.now();
  const value = await fn(AbortSignal.timeout(CHECK_TIMEOUT_MS));
  return { value, latencyMs: Math.round((performance.now() - started) * 100) / 100 };
}

async function checkRole(role: Role): Promise<CheckResult> {
  const rolePool = pool(role);
  try {
    const { latencyMs } = await timed((signal) => rolePool.run(({ sql }) => sql`select 1`, { signal }));
    return { ok: true, latencyMs, health: rolePool.stats().health };
  } catch (error) {
    // A busy pool is a loaded server, not a broken one: pulling it out of rotation would make things worse.
    if (isPoolError(error, "saturated", "timeout")) {
      return { ok: true, busy: true, health: rolePool.stats().health };
    }
    return { ok: false, health: rolePool.stats().health, error: describe(error) };
  }
}

async function checkMigrations(): Promise<CheckResult & Partial<MigrationStatus>> {
  try {
    const { value, latencyMs } = await timed((signal) => pool("admin").run(({ sql }) => migrationStatus(sql), { signal }));
    return { ...value, ok: value.current, latencyMs, ...(value.current ? {} : { error: "database migrations are behind; run npm run db:migrate" }) };
  } catch (error) {
    return { ok: false, error: describe(error) };
  }
}

export async function readiness(): Promise<Readiness> {
  const names = [...ROLES.map((role) => `db:${role}`), "migrations", "redis"];
  const results: CheckResult[] = await Promise.all([
    ...ROLES.map(checkRole),
    checkMigrations(),
    redisReadiness().catch((error: unknown) => ({ ok: false, error: describe(error) })),
  ]);
  // Draining after SIGTERM: tell the load balancer first, before connections start closing.
  if (isDraining()) {
    names.push("shutdown");
    results.push({ ok: false, error: "the server is shutting down" });
  }
  const checks = Object.fromEntries(names.map((name, i) => [name, results[i]!]));
  const failed = names.filter((name) => !checks[name]!.ok);
  return { status: failed.length ? "fail" : "ok", failed, checks };
}

function describe(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error && error.name === "TimeoutError") return `no answer within ${CHECK_TIMEOUT_MS} ms`;
  // Driver messages can name hosts and users; keep them, never URLs with passwords (pools never put those in errors).
  return error instanceof Error ? error.message : String(error);
}
