import { randomBytes } from "node:crypto";
import Redis from "ioredis";
import { afterAll, beforeAll, inject } from "vitest";
import { hashPassword } from "@/lib/auth/password";
import type { TokenScope, UserRole } from "@/lib/core/caller";
import { resetEnvCache } from "@/lib/env";
import { createTestDatabase, type TestDatabase } from "@/tests/support/database";

/**
 * Identity helpers for tests: users as rows (owner connection), tokens
 * through lib/auth/tokens.ts (the code path of the UI and CLI), sessions
 * through next-auth's own credentials sign-in over HTTP.
 */
export interface TestUser {
  id: string;
  email: string;
  password: string;
  role: UserRole;
}

export async function createUser(
  db: Pick<TestDatabase, "owner">,
  options: { role?: UserRole; email?: string; password?: string; disabled?: boolean } = {},
): Promise<TestUser> {
  const role = options.role ?? "viewer";
  const email = options.email ?? `${role}-${randomBytes(4).toString("hex")}@example.test`;
  const password = options.password ?? `pw-${randomBytes(9).toString("base64url")}`;
  const [row] = await db.owner<{ id: string }[]>`
    insert into app.users (email, role, password_hash, disabled)
    values (${email}, ${role}, ${await hashPassword(password)}, ${options.disabled ?? false})
    returning id`;
  return { id: row!.id, email, password, role };
}

/**
 * Points this test process's lib code (env(), pools, Redis) at a test
 * database and Redis, for tests that call lib functions directly. Call once
 * per file, before the first lib call; pools and the Redis client are
 * process singletons bound to the first configuration.
 */
export function useAppEnvironment(vars: Record<string, string>): void {
  Object.assign(process.env, { AUTH_SECRET: `test-secret-${randomBytes(16).toString("hex")}`, ...vars });
  resetEnvCache();
}

/**
 * For a test file that calls lib code directly: its own database and the shared test Redis, lib
 * pointed at both (useAppEnvironment, with `vars` on top), a Redis client for the test's own
 * looks, all closed after the file. The fields are set once the file's first beforeAll has run.
 */
export function libOnTestServices(label: string, vars: Record<string, string> = {}): { db: TestDatabase; redis: Redis } {
  const services = {} as { db: TestDatabase; redis: Redis };
  beforeAll(async () => {
    services.db = await createTestDatabase(label);
    useAppEnvironment(services.db.envVars({ REDIS_URL: inject("redisUrl"), ...vars }));
    services.redis = new Redis(inject("redisUrl"));
  });
  afterAll(async () => {
    services.redis?.disconnect();
    const [{ closePools }, { closeRedis }] = await Promise.all([import("@/lib/db/clients"), import("@/lib/redis/client")]);
    await closePools();
    await closeRedis();
    await services.db?.drop();
  });
  return services;
}

/** A token through lib/auth/tokens.ts; needs useAppEnvironment() with REDIS_URL first. */
export async function createToken(
  user: Pick<TestUser, "id" | "role">,
  options: { scopes?: TokenScope[]; name?: string; lifetimeMs?: number | null } = {},
) {
  const { createToken: create } = await import("@/lib/auth/tokens");
  return create({
    owner: { id: user.id, role: user.role },
    name: options.name ?? "test token",
    scopes: options.scopes ?? ["tables:read"],
    lifetimeMs: options.lifetimeMs,
  });
}

/** Keeps cookies across requests like a browser would (names and values only). */
export class CookieJar {
  private readonly cookies = new Map<string, string>();

  store(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair = "", ...attributes] = line.split(";");
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = value === "" || attributes.some((a) => /^\s*max-age=0\s*$/i.test(a) || /^\s*expires=thu, 01 jan 1970/i.test(a));
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  get(name: string): string | undefined {
    return this.cookies.get(name);
  }

  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
  }
}

export interface SignInAttempt {
  status: number;
  /** next-auth's error code (CredentialsSignin, AccountDisabled, RateLimited:<s>, Unavailable), or null on success. */
  error: string | null;
  jar: CookieJar;
  /** The Set-Cookie lines of the callback response, attributes included. */
  setCookies: string[];
}

/** One credentials sign-in exactly as the sign-in form does it (CSRF round trip, json=true). */
export async function attemptSignIn(appUrl: string, email: string, password: string): Promise<SignInAttempt> {
  const jar = new CookieJar();
  const csrf = await fetch(`${appUrl}/api/auth/csrf`);
  jar.store(csrf);
  if (!csrf.ok) return { status: csrf.status, error: `csrf HTTP ${csrf.status}`, jar, setCookies: [] };
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const response = await fetch(`${appUrl}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "Content-Type": "application/x-www-form-urlencoded", cookie: jar.header() },
    body: new URLSearchParams({ email, password, csrfToken, json: "true" }),
  });
  jar.store(response);
  const body = (await response.json().catch(() => null)) as { url?: string } | null;
  const error = body?.url ? new URL(body.url).searchParams.get("error") : `HTTP ${response.status}`;
  return { status: response.status, error, jar, setCookies: response.headers.getSetCookie() };
}

/** Signs in and returns the Cookie header carrying the session; throws when sign-in fails. */
export async function signIn(appUrl: string, email: string, password: string): Promise<string> {
  const attempt = await attemptSignIn(appUrl, email, password);
  if (attempt.error || !/session-token=/.test(attempt.jar.header())) {
    throw new Error(`sign-in of ${email} failed: HTTP ${attempt.status}, ${attempt.error}`);
  }
  // Only the session cookie: what a stolen or copied cookie would be.
  return attempt.jar
    .header()
    .split("; ")
    .filter((pair) => pair.includes("session-token="))
    .join("; ");
}
