import { parseEnv, type Env } from "@/lib/env";
import type { Role } from "@/lib/db/roles";

/** What the global setup hands every integration test file. */
export interface TestDatabaseConfig {
  serverUrl: string;
  template: string;
  databasePrefix: string;
  rolePrefix: string;
  passwords: Record<Role, string>;
  /** The run's Redis; app servers get it unless a test passes its own REDIS_URL. */
  redisUrl: string;
}

/** The environment variables of an app pointed at `databaseUrl` with the test roles. */
export function testEnvVars(config: TestDatabaseConfig, databaseUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: "test",
    DATABASE_URL: databaseUrl,
    DB_ROLE_PREFIX: config.rolePrefix,
    DB_READONLY_PASSWORD: config.passwords.readonly,
    DB_APP_PASSWORD: config.passwords.app,
    DB_ADMIN_PASSWORD: config.passwords.admin,
    LOG_LEVEL: "warn",
    REDIS_URL: config.redisUrl,
    // Test files share one Redis and one client IP: the strict sign-in limits
    // would otherwise count every file's sign-ins together. Tests of those
    // limits set their own values.
    RATE_LIMIT_SIGN_IN_IP_LIMIT: "100000",
    RATE_LIMIT_SIGN_IN_ACCOUNT_LIMIT: "100000",
    // Likewise the per-IP budget for tokens that do not resolve (tests send many on purpose).
    RATE_LIMIT_AUTH_FAILURE_IP_LIMIT: "100000",
    // Admission adapts to the event loop's delay in a deployment; tests that count responses must
    // not read a busy CI machine's scheduling delay as overload. Tests of adaptive admission set it.
    API_ADMISSION: "fixed",
    ...extra,
  };
}

export function testEnv(config: TestDatabaseConfig, databaseUrl: string, extra: Record<string, string> = {}): Env {
  return parseEnv(testEnvVars(config, databaseUrl, extra));
}
