import "server-only";
/**
 * Who is calling, however they authenticated. Route handlers and server
 * actions see only this, never the cookie or token it came from.
 */
export const USER_ROLES = ["viewer", "analyst", "admin"] as const;
export type UserRole = (typeof USER_ROLES)[number];

export const TOKEN_SCOPES = ["tables:read", "queries:run", "sql:run", "admin"] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

export interface Caller {
  via: "session" | "token";
  userId: string;
  email: string;
  role: UserRole;
  /** What this caller may do: a token's own scopes, or what a session user's role grants. */
  scopes: readonly TokenScope[];
  sessionId?: string;
  tokenId?: string;
  /**
   * A session whose user still has a password someone else chose (an admin's create or reset, a
   * generated one): pages send them to /settings/password, and other actions and API calls of
   * the session are refused until they change it. Never set for an API token.
   */
  mustChangePassword?: boolean;
  /** The token's name as its owner gave it (for the admin's running-queries view). */
  tokenName?: string;
}

/** What a signed-in user may do through the browser, by role. */
export const ROLE_SCOPES: Record<UserRole, readonly TokenScope[]> = {
  viewer: ["tables:read", "queries:run"],
  analyst: ["tables:read", "queries:run", "sql:run"],
  admin: ["tables:read", "queries:run", "sql:run", "admin"],
};

const ROLE_RANK: Record<UserRole, number> = { viewer: 0, analyst: 1, admin: 2 };

export function roleAtLeast(role: UserRole, minimum: UserRole): boolean {
  return ROLE_RANK[role] >= ROLE_RANK[minimum];
}
