import type { Env } from "@/lib/env";

/** The three least-privilege roles every request runs as; the owner is for setup only. */
export const ROLES = ["readonly", "app", "admin"] as const;
export type Role = (typeof ROLES)[number];

export interface RoleCredentials {
  role: Role;
  user: string;
  password: string | undefined;
}

const userKey = { readonly: "DB_READONLY_USER", app: "DB_APP_USER", admin: "DB_ADMIN_USER" } as const;
const passwordKey = { readonly: "DB_READONLY_PASSWORD", app: "DB_APP_PASSWORD", admin: "DB_ADMIN_PASSWORD" } as const;
const sizeKey = { readonly: "DB_POOL_SIZE_READONLY", app: "DB_POOL_SIZE_APP", admin: "DB_POOL_SIZE_ADMIN" } as const;

export function roleCredentials(env: Env, role: Role): RoleCredentials {
  return { role, user: env.DB_ROLE_PREFIX + env[userKey[role]], password: env[passwordKey[role]] };
}

export function rolePoolSize(env: Env, role: Role): number {
  return env[sizeKey[role]] ?? env.DB_POOL_SIZE;
}

/** Same server and database as `base`, logged in as the role. */
export function roleUrl(base: string, credentials: RoleCredentials): string {
  const url = new URL(base);
  url.username = encodeURIComponent(credentials.user);
  url.password = credentials.password ? encodeURIComponent(credentials.password) : "";
  return url.toString();
}

export function databaseName(url: string): string {
  return decodeURIComponent(new URL(url).pathname.replace(/^\//, "")) || "postgres";
}

/** The URL with its password masked, for logs and the dashboard. */
export function redactUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = "***";
  return parsed.toString();
}
