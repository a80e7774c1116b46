import "server-only";
import { authenticate } from "@/lib/auth/authenticate";
import { hasSessionCookie } from "@/lib/auth/session-cookie";
import { ApiError } from "@/lib/core/errors";
import type { CheckResult, Readiness } from "@/lib/core/readiness";
import { singleton } from "@/lib/core/singleton";
import { pool, withRole } from "@/lib/db/clients";
import { isPoolError, type Unit } from "@/lib/db/pool";
import { migrationStatus, type MigrationStatus } from "@/lib/db/migration-status";
import { replicaStatus } from "@/lib/db/replica-status";
import { ROLES, type Role } from "@/lib/db/roles";
import { env } from "@/lib/env";
import { redisReadiness } from "@/lib/redis/runtime";
import { isMetricsToken } from "@/lib/security/metrics-token";
import { authorize } from "@/lib/server/5-authorize";
import { isDraining } from "@/lib/server/2-shutdown";
import { sharedProbe, withLiveState } from "@/lib/server/9-readiness-state";

const CHECK_TIMEOUT_MS = 3000;
/** How long one probe's answer serves every caller: readiness may be asked any number of times a second. */
const PROBE_TTL_MS = 1000;

async function timed<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<{ value: T; latencyMs: number }> {
  const started = performance.now();
  const value = await fn(AbortSignal.timeout(CHECK_TIMEOUT_MS));
  return { value, latencyMs: Math.round((performance.now() - started) * 100) / 100 };
}

/**
 * Whether the probe would have to queue for a permit: every one is lent, so the pool is working
 * (a failed connection flips its health at once), and waiting would take a permit from a request.
 */
function allLent(role: Role): boolean {
  const stats = pool(role).stats();
  return stats.inUse >= stats.size;
}

const unreachable = (role: Role): CheckResult => ({
  ok: false,
  health: pool(role).stats().health,
  error: `the database is unreachable for role ${role}`,
});
const busy = (role: Role): CheckResult => ({ ok: true, busy: true, health: pool(role).stats().health });

/** One unit on the role's pool running `query`; its latency, or why it could not run. */
async function unitOn<T>(role: Role, query: (unit: Unit) => Promise<T>): Promise<{ check: CheckResult; value?: T }> {
  const rolePool = pool(role);
  if (rolePool.stats().health !== "healthy") return { check: unreachable(role) };
  if (allLent(role)) return { check: busy(role) };
  try {
    const { value, latencyMs } = await timed((signal) => withRole(role, query, { signal }));
    return { check: { ok: true, latencyMs, health: rolePool.stats().health }, value };
  } catch (error) {
    // A busy pool is a loaded server, not a broken one: pulling it out of rotation would make things worse.
    if (isPoolError(error, "saturated", "timeout")) return { check: busy(role) };
    return { check: { ok: false, health: rolePool.stats().health, error: describe(error) } };
  }
}

const checkRole = async (role: Role): Promise<CheckResult> => (await unitOn(role, ({ sql }) => sql`select 1`)).check;

/**
 * The readonly role on a read replica (DATABASE_READONLY_URL): the same one unit also says whether
 * the server it reached is a replica and its replay lag, for the admin detail.
 */
async function checkReplica(): Promise<CheckResult> {
  const { check, value } = await unitOn("readonly", ({ sql }) => replicaStatus(sql));
  return value ? { ...check, replica: value } : { ...check, replica: null };
}

const checkFor = (role: Role) => (role === "readonly" && env().DATABASE_READONLY_URL ? checkReplica() : checkRole(role));

/**
 * The admin pool's check and the migrations in one unit (one permit, not two): the journal
 * query answering proves the pool does. A failure fails both.
 */
async function checkAdminAndMigrations(): Promise<[CheckResult, CheckResult & Partial<MigrationStatus>]> {
  const { check, value } = await unitOn("admin", ({ sql }) => migrationStatus(sql));
  if (value) {
    const behind = value.current ? {} : { error: "database migrations are behind; run npm run db:migrate" };
    return [check, { ...value, ok: value.current, latencyMs: check.latencyMs, ...behind }];
  }
  // Not run or failed: busy (every permit lent) is ready for both, anything else fails both.
  return [check, check.ok ? { ok: true, busy: true } : { ok: false, error: check.error }];
}

/** One round of every check: one unit per role pool (the admin one also reads the migrations), Redis. */
async function probe(): Promise<Readiness> {
  const roles = ROLES.filter((role) => role !== "admin");
  const names = [...roles.map((role) => `db:${role}`), "db:admin", "migrations", "redis"];
  const [roleResults, adminAndMigrations, redis] = await Promise.all([
    Promise.all(roles.map(checkFor)),
    checkAdminAndMigrations(),
    redisReadiness().catch((error: unknown): CheckResult => ({ ok: false, error: describe(error) })),
  ]);
  const results: CheckResult[] = [...roleResults, ...adminAndMigrations, redis];
  const checks = Object.fromEntries(names.map((name, i) => [name, results[i]!]));
  const failed = names.filter((name) => !checks[name]!.ok);
  return { status: failed.length ? "fail" : "ok", failed, checks };
}

// A process singleton: the readiness route, the home page and the dashboard are separate bundles.
const sharedReadinessProbe = () => singleton("sluiceReadinessProbe", () => sharedProbe(probe, { ttlMs: PROBE_TTL_MS }));

/**
 * The readiness report: the shared probe's answer (at most one probe a second, so at most one
 * permit per role pool a second whoever asks), corrected by each pool's own health state and
 * the shutdown state, read on every call.
 */
export async function readiness(): Promise<Readiness> {
  const report = await sharedReadinessProbe()();
  return withLiveState(report, { pools: Object.fromEntries(ROLES.map((role) => [role, pool(role).stats().health])), draining: isDraining() });
}

/** The pool numbers behind the report, for those who may read the detail. */
export function poolSummary() {
  return Object.fromEntries(
    ROLES.map((role) => {
      const s = pool(role).stats();
      return [
        role,
        {
          size: s.size,
          min: s.min,
          inUse: s.inUse,
          waiting: s.waiting,
          open: s.connections.open,
          target: s.target,
          fallbackToDirect: s.fallbackToDirect,
          health: s.health,
        },
      ];
    }),
  );
}

/**
 * Whether the caller may read the per-check detail (pool sizes, latencies, migrations):
 * the scraper secret (METRICS_TOKEN), or an admin by session or by a token with the admin
 * scope. A load balancer sends no credentials and costs no lookup; credentials that do not
 * check out get the status only, never an error: readiness must keep answering.
 */
export async function mayReadReadinessDetail(request: Request): Promise<boolean> {
  const authorization = request.headers.get("authorization");
  if (isMetricsToken(authorization, env().METRICS_TOKEN)) return true;
  if (authorization === null && !hasSessionCookie(request)) return false;
  try {
    const caller = await authenticate(request);
    if (!caller) return false;
    authorize(caller, { role: "admin", scopes: ["admin"] });
    return true;
  } catch {
    return false;
  }
}

function describe(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error && error.name === "TimeoutError") return `no answer within ${CHECK_TIMEOUT_MS} ms`;
  // Driver messages can name hosts and users; keep them, never URLs with passwords (pools never put those in errors).
  return error instanceof Error ? error.message : String(error);
}
