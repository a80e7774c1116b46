import postgres from "postgres";
import { env } from "@/lib/env";
import { roleCredentials, roleUrl } from "@/lib/db/roles";

/**
 * The benchmark's baseline (`npm run bench`, stack overhead): the same single
 * query as the table API, with none of Sluice around it — no proxy (excluded
 * in proxy.ts), no auth, no validation, no gate. Off (404) unless
 * BENCH_ENDPOINTS=on, so it never exists in a real deployment.
 */
export const dynamic = "force-dynamic";

const globalForBench = globalThis as unknown as { sluiceBenchSql?: postgres.Sql };

function client(): postgres.Sql {
  const config = env();
  globalForBench.sluiceBenchSql ??= postgres(roleUrl(config.DATABASE_URL!, roleCredentials(config, "readonly")), {
    max: config.DB_POOL_SIZE_READONLY ?? config.DB_POOL_SIZE,
    max_pipeline: 0,
  } as postgres.Options<Record<string, postgres.PostgresType>>);
  return globalForBench.sluiceBenchSql;
}

export async function GET(request: Request) {
  if (env().BENCH_ENDPOINTS !== "on") return new Response(null, { status: 404 });
  const id = Number(new URL(request.url).searchParams.get("id") ?? "1");
  const rows = await client()`select id, status, total from data.orders where id = ${id}`;
  return Response.json(rows);
}
