import "server-only";
import type { Sql } from "postgres";
import journal from "../../db/migrations/meta/_journal.json";

/**
 * Compares what the database has applied with the migrations this build
 * ships. The journal is bundled at build time, so the check works in the
 * standalone server without the migrations folder.
 */
export interface MigrationStatus {
  current: boolean;
  expected: number;
  applied: number;
  latestExpected: string | null;
  latestApplied: string | null;
}

export async function migrationStatus(sql: Sql): Promise<MigrationStatus> {
  const entries = journal.entries;
  const latest = entries[entries.length - 1];
  const rows = await sql<{ count: number; latest: string | null }[]>`
    select count(*)::int as count, max(created_at)::text as latest from app.__drizzle_migrations`;
  const applied = rows[0]?.count ?? 0;
  const latestApplied = rows[0]?.latest ?? null;
  return {
    current: latest ? latestApplied !== null && Number(latestApplied) >= latest.when : true,
    expected: entries.length,
    applied,
    latestExpected: latest ? latest.tag : null,
    latestApplied: latestApplied ? (entries.find((e) => String(e.when) === latestApplied)?.tag ?? latestApplied) : null,
  };
}
