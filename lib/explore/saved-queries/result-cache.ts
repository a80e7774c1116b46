import "server-only";
import { createHash } from "node:crypto";
import { z } from "zod";
import { log } from "@/lib/core/log";
import { keys } from "@/lib/redis/keys";
import { appStore } from "@/lib/redis/runtime";
import type { SqlJsonResult } from "@/lib/explore/sandbox";

/**
 * Saved-query results in Redis for the query's cache_max_age_s. The key covers the query id,
 * its updated_at (an edit makes old entries unreachable; they expire on their own), the bound
 * values and the row cap. A cache that fails is skipped, not fatal: the query just runs.
 */
export interface CacheIdentity {
  queryId: string;
  updatedAt: Date;
  values: Record<string, string | null>;
  maxRows: number;
}

export function resultCacheKey(identity: CacheIdentity): string {
  const sortedValues = Object.fromEntries(Object.entries(identity.values).sort(([a], [b]) => (a < b ? -1 : 1)));
  const material = JSON.stringify([identity.queryId, identity.updatedAt.toISOString(), sortedValues, identity.maxRows]);
  return keys.cacheKey(createHash("sha256").update(material).digest("hex"));
}

const cachedResult = z.object({
  columns: z.array(z.object({ name: z.string(), type: z.string() })),
  rows: z.array(z.array(z.any())),
  rowCount: z.number(),
  truncated: z.boolean(),
  truncatedBy: z.enum(["rows", "bytes"]).nullable().default(null),
  elapsedMs: z.number(),
});

export async function readCachedResult(key: string): Promise<SqlJsonResult | null> {
  try {
    const raw = await appStore().get(key);
    if (raw === null) return null;
    const parsed = cachedResult.safeParse(JSON.parse(raw));
    return parsed.success ? (parsed.data as SqlJsonResult) : null;
  } catch (error) {
    log.warn({ err: error instanceof Error ? error.message : String(error) }, "result cache read failed; running the query");
    return null;
  }
}

export async function writeCachedResult(key: string, result: SqlJsonResult, maxAgeS: number): Promise<void> {
  try {
    await appStore().set(key, JSON.stringify(result), { ttlMs: maxAgeS * 1000 });
  } catch (error) {
    log.warn({ err: error instanceof Error ? error.message : String(error) }, "result cache write failed");
  }
}
