import { inject } from "vitest";
import type { TokenScope, UserRole } from "@/lib/core/caller";
import { createToken, createUser, useAppEnvironment as pointLibAt } from "@/tests/support/auth";
import type { TestDatabase } from "@/tests/support/database";

/**
 * A user with an API token for the explorer's HTTP tests, made through tests/support/auth.ts
 * (the token goes into the same Redis the app server under test uses).
 */
export function explorerEnv(db: TestDatabase, extra: Record<string, string> = {}): Record<string, string> {
  return db.envVars({ REDIS_URL: inject("redisUrl"), ...extra });
}

export interface TestCaller {
  userId: string;
  email: string;
  token: string;
  headers: Record<string, string>;
}

/** `extra`: environment for the app under test, when it is not the run's shared one (its own REDIS_URL). */
export async function createCaller(db: TestDatabase, role: UserRole, scopes: TokenScope[], extra: Record<string, string> = {}): Promise<TestCaller> {
  pointLibAt(explorerEnv(db, extra));
  const user = await createUser(db, { role });
  const { token } = await createToken(user, { scopes });
  return { userId: user.id, email: user.email, token, headers: { authorization: `Bearer ${token}` } };
}
