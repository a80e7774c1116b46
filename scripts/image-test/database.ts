import { randomBytes } from "node:crypto";
import postgres from "postgres";

/**
 * A fresh, empty database on the shared Postgres for one image test run, with roles of its own
 * (roles are cluster-wide: sharing the test suite's `sluice_test_` roles would change their
 * passwords under a concurrent `npm test`). The image's release command sets them up, as on a
 * deploy. One data table is created first, so setup grants it and the token read has rows.
 */
export interface ImageTestDatabase {
  url: string;
  env: Record<string, string>;
  probeRows: Array<{ id: number; name: string }>;
  /** The client address the app recorded for the latest audited token request. */
  lastAuditedIp(): Promise<string | null>;
  drop(): Promise<void>;
}

function databaseUrl(serverUrl: string, database: string): string {
  const parsed = new URL(serverUrl);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

export const PROBE_TABLE = "data.image_probe";

export async function freshDatabase(serverUrl: string, runId: string): Promise<ImageTestDatabase> {
  const name = `sluice_image_${runId}`;
  const rolePrefix = `sluice_img_${runId}_`;
  const server = postgres(serverUrl, { max: 1, onnotice: () => {}, connect_timeout: 10 });
  const url = databaseUrl(serverUrl, name);
  const probeRows = [
    { id: 1, name: "built" },
    { id: 2, name: "started" },
  ];
  const drop = async () => {
    await server.unsafe(`drop database if exists "${name}" with (force)`).catch(() => {});
    const roles = await server<{ rolname: string }[]>`select rolname from pg_roles where starts_with(rolname, ${rolePrefix})`.catch(() => []);
    for (const { rolname } of roles) await server.unsafe(`drop role if exists "${rolname}"`).catch(() => {});
    await server.end({ timeout: 5 });
  };
  try {
    await server.unsafe(`create database "${name}"`);
    const db = postgres(url, { max: 1, onnotice: () => {}, connect_timeout: 10 });
    try {
      await db.unsafe(`create schema data; create table ${PROBE_TABLE} (id int primary key, name text not null)`);
      for (const row of probeRows) await db`insert into data.image_probe ${db(row)}`;
    } finally {
      await db.end({ timeout: 5 });
    }
  } catch (error) {
    await drop();
    throw error;
  }
  const password = () => randomBytes(18).toString("base64url");
  return {
    url,
    probeRows,
    lastAuditedIp: async () => {
      const db = postgres(url, { max: 1, onnotice: () => {}, connect_timeout: 10 });
      try {
        const [row] = await db<{ ip: string | null }[]>`select ip from app.audit_events where via = 'token' order by occurred_at desc limit 1`;
        return row?.ip ?? null;
      } finally {
        await db.end({ timeout: 5 });
      }
    },
    env: {
      DATABASE_URL: url,
      DB_ROLE_PREFIX: rolePrefix,
      DB_READONLY_PASSWORD: password(),
      DB_APP_PASSWORD: password(),
      DB_ADMIN_PASSWORD: password(),
    },
    drop,
  };
}
