import { PostgrestClient } from "@supabase/postgrest-js";
import { startAppServer, type AppServer } from "@/tests/support/app-server";
import { createTestDatabase, type TestDatabase } from "@/tests/support/database";
import { createCaller, explorerEnv } from "@/tests/integration/explore/support/http-auth";
import { COMPAT_SCHEMAS, loadPostgrestFixture } from "@/tests/support/postgrest-fixture";

/**
 * The official PostgREST client pointed at Sluice's production server: the base URL is the
 * table API, the token a bearer header — the only two changes a PostgREST program makes.
 */
export interface CompatWorld {
  db: TestDatabase;
  app: AppServer;
  client: PostgrestClient;
  token: string;
  /** A raw request to the table API with the caller's token. */
  raw(path: string, init?: RequestInit): Promise<Response>;
}

export async function startCompatWorld(label: string): Promise<CompatWorld> {
  const db = await createTestDatabase(label);
  await loadPostgrestFixture(db);
  const app = await startAppServer(explorerEnv(db, { DATA_SCHEMAS: COMPAT_SCHEMAS.join(","), TABLE_ROW_CAP: "100" }));
  const caller = await createCaller(db, "viewer", ["tables:read"]);
  const base = `${app.url}/api/v1/tables`;
  const client = new PostgrestClient(base, { headers: caller.headers });
  return {
    db,
    app,
    client,
    token: caller.token,
    raw: (path, init = {}) => fetch(`${base}${path}`, { ...init, headers: { ...caller.headers, ...(init.headers as Record<string, string>) } }),
  };
}

export async function stopCompatWorld(world: CompatWorld | undefined): Promise<void> {
  await world?.app.stop();
  await world?.db.drop();
}
