import "server-only";
import type { Caller } from "@/lib/core/caller";
import { getVisibleQuery } from "@/lib/explore/saved-queries/store";
import { env } from "@/lib/env";
import { recordRun } from "@/lib/explore/sandbox";
import { readCachedResult, resultCacheKey, writeCachedResult } from "@/lib/explore/saved-queries/result-cache";
import { runSqlCsv, runSqlJson, type SqlJsonResult } from "@/lib/explore/sandbox";
import { renderSavedQuery } from "@/lib/explore/saved-queries/params";
import type { CsvFormulas } from "@/lib/explore/output";

/**
 * Runs a saved query the caller can see, with its `{{name}}` values bound: JSON (from the Redis
 * cache when the query allows it) or streamed CSV (always fresh). Audited either way.
 */
export interface SavedQueryRunInput {
  caller: Caller;
  id: string;
  values: Record<string, unknown>;
  maxRows?: number;
  signal: AbortSignal;
  ip: string | null;
  /** CSV only: formula escaping (the default) or raw values. */
  csvFormulas?: CsvFormulas;
}

export type SavedQueryJson = SqlJsonResult & { cached: boolean };

async function prepare(input: SavedQueryRunInput) {
  const query = await getVisibleQuery({ userId: input.caller.userId, role: input.caller.role }, input.id);
  const rendered = renderSavedQuery(query.sql, query.parameters, input.values);
  const run = {
    caller: input.caller,
    sql: rendered.text,
    params: rendered.params,
    maxRows: input.maxRows,
    signal: input.signal,
    csvFormulas: input.csvFormulas,
    audit: { action: "query.run" as const, target: query.id, ip: input.ip, params: rendered.values },
  };
  return { query, rendered, run };
}

export async function runSavedQueryJson(input: SavedQueryRunInput): Promise<SavedQueryJson> {
  const { query, rendered, run } = await prepare(input);
  if (query.cacheMaxAgeS <= 0) return { ...(await runSqlJson(run)), cached: false };
  const key = resultCacheKey({
    queryId: query.id,
    updatedAt: query.updatedAt,
    values: rendered.values,
    maxRows: Math.min(input.maxRows ?? env().SQL_MAX_ROWS, env().SQL_MAX_ROWS),
  });
  const started = performance.now();
  const hit = await readCachedResult(key);
  if (hit) {
    await recordRun({
      action: "query.run",
      caller: input.caller,
      sql: rendered.text,
      params: rendered.values,
      target: query.id,
      ip: input.ip,
      durationMs: performance.now() - started,
      rows: hit.rowCount,
      outcome: "ok",
      extra: { format: "json", cached: true },
    });
    return { ...hit, cached: true };
  }
  const result = await runSqlJson({ ...run, audit: { ...run.audit, extra: { cached: false } } });
  await writeCachedResult(key, result, query.cacheMaxAgeS);
  return { ...result, cached: false };
}

export async function runSavedQueryCsv(input: SavedQueryRunInput): Promise<Response> {
  const { query, run } = await prepare(input);
  const filename = query.name.replace(/[^\w.-]+/g, "_").slice(0, 80) || "query";
  return runSqlCsv(run, filename, { "X-Cache": "miss" });
}
