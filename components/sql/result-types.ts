/** The SQL API's answer (POST /api/v1/sql) and a saved query's run (/api/v1/queries/{id}/results). */
export interface SqlResult {
  columns: { name: string; type: string }[];
  rows: unknown[][];
  rowCount: number;
  truncated: boolean;
  /** Which cap cut the result short: the row cap or the byte cap (SQL_MAX_BYTES). */
  truncatedBy?: "rows" | "bytes" | null;
  elapsedMs: number;
  /** Saved-query runs may be answered from the Redis cache. */
  cached?: boolean;
}

export function isSqlResult(value: unknown): value is SqlResult {
  if (!value || typeof value !== "object") return false;
  const body = value as Partial<SqlResult>;
  return Array.isArray(body.columns) && Array.isArray(body.rows);
}
