import postgres, { type Sql } from "postgres";
import { inject } from "vitest";
import { cloneTemplate } from "@/tests/support/services";
import { roleCredentials, roleUrl, type Role } from "@/lib/db/roles";
import type { Env } from "@/lib/env";
import { testEnv, testEnvVars, type TestDatabaseConfig } from "@/tests/support/test-env";

export interface TestDatabase {
  name: string;
  /** Owner (superuser in tests) connection string. */
  url: string;
  env: Env;
  envVars: (extra?: Record<string, string>) => Record<string, string>;
  roleUrl(role: Role): string;
  /** An owner connection, closed by drop(). */
  owner: Sql;
  /** A direct connection as one role, closed by drop(). */
  as(role: Role): Sql;
  drop(): Promise<void>;
}

/** A fresh clone of the seeded template: one per test file, so files never see each other's rows. */
export async function createTestDatabase(label = "db"): Promise<TestDatabase> {
  const config: TestDatabaseConfig = inject("database");
  const dbUrl = await cloneTemplate(config, label);
  const name = new URL(dbUrl).pathname.slice(1);
  const env = testEnv(config, dbUrl);

  const clients: Sql[] = [];
  const connect = (connectionUrl: string) => {
    const sql = postgres(connectionUrl, { max: 2, onnotice: () => {} });
    clients.push(sql);
    return sql;
  };
  const owner = connect(dbUrl);
  return {
    name,
    url: dbUrl,
    env,
    envVars: (extra = {}) => testEnvVars(config, dbUrl, extra),
    roleUrl: (role) => roleUrl(dbUrl, roleCredentials(env, role)),
    owner,
    as: (role) => connect(roleUrl(dbUrl, roleCredentials(env, role))),
    drop: async () => {
      await Promise.all(clients.map((c) => c.end({ timeout: 2 })));
      const server2 = postgres(config.serverUrl, { max: 1, onnotice: () => {} });
      await server2.unsafe(`drop database if exists "${name}" with (force)`).catch(() => {});
      await server2.end({ timeout: 5 });
    },
  };
}
