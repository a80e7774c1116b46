import "server-only";
import type { Sql } from "postgres";
import { ApiError } from "@/lib/core/errors";
import { extendedQuery, type BoundValue } from "@/lib/explore/output";
import { mapQueryError } from "@/lib/explore/pg-errors";
import { readTopPlanNode } from "@/lib/explore/sql";

/** "Total Cost" of the top plan node of an `EXPLAIN (FORMAT JSON)` result; null if absent. */
export function readPlanCost(rows: unknown): number | null {
  const cost = readTopPlanNode(rows)?.["Total Cost"];
  return typeof cost === "number" && Number.isFinite(cost) ? cost : null;
}

const EXPLAIN_PREFIX = "EXPLAIN (FORMAT JSON)\n";

/**
 * The EXPLAIN cost guard: plans the statement (it does not run) and refuses it with a 422 when
 * the planner's estimate is above `maxCost` — before any row is read. `seen` sees an error of
 * the EXPLAIN first (the sandbox tracks whether the connection stayed in sync); positions in
 * Postgres' message are given back relative to the caller's text.
 */
export async function assertPlanCost(
  sql: Sql,
  text: string,
  params: ReadonlyArray<BoundValue>,
  maxCost: number,
  seen: (error: unknown) => unknown = (error) => error,
): Promise<void> {
  const rows = await extendedQuery(sql, EXPLAIN_PREFIX + text, params).catch((error: unknown) => {
    throw mapQueryError(seen(error), { positionOffset: EXPLAIN_PREFIX.length });
  });
  const cost = readPlanCost(rows);
  if (cost !== null && cost > maxCost) {
    throw new ApiError(
      "unprocessable",
      `The planner estimates this query at cost ${Math.round(cost).toLocaleString("en")}, above the limit of ${maxCost.toLocaleString("en")}: add filters, a LIMIT, or use an index`,
      { reason: "too_expensive", cost, maxCost },
    );
  }
}
