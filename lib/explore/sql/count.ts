import { findRelation } from "@/lib/explore/catalog";
import type { Catalog, RelationRef } from "@/lib/explore/catalog";
import { readTopPlanNode } from "@/lib/explore/sql/explain-json";
import type { ReadRequest } from "@/lib/explore/grammar";
import type { BuildOptions } from "@/lib/explore/sql/builder";
import { renderFromWhere, topScope } from "@/lib/explore/sql/select";
import { Params, type SqlQuery } from "@/lib/explore/sql/text";

/*
 * Counts for `Prefer: count=…`, with PostgREST's meanings:
 * - exact: count(*) over the same filters — correct, but a full scan on big tables;
 * - planned: the planner's row estimate for the filtered query (EXPLAIN), instant, approximate;
 * - estimated: exact while the planned count is small (≤ a threshold, typically the row cap),
 *   planned above it — run the planned query, then `shouldCountExactly` decides.
 */

/** `SELECT count(*) FROM … WHERE …` (with the `!inner` embeds' conditions); one row, column "count" (int8, a string in postgres.js). */
export function buildExactCountQuery(catalog: Catalog, ref: RelationRef, request: ReadRequest, options: BuildOptions): SqlQuery {
  const scope = topScope(catalog, findRelation(catalog, ref), new Params(), options.rowCap);
  return { text: `SELECT count(*) ${renderFromWhere(request, scope)}`, params: scope.params.values };
}

/**
 * `EXPLAIN (FORMAT JSON)` of the filtered query without LIMIT, so "Plan Rows" of the top node is
 * the estimate for the whole result. Parameters are bound as usual (extended protocol); the
 * statement plans but never runs the query. Read the result with `readPlannedCount`.
 */
export function buildPlannedCountQuery(catalog: Catalog, ref: RelationRef, request: ReadRequest, options: BuildOptions): SqlQuery {
  const scope = topScope(catalog, findRelation(catalog, ref), new Params(), options.rowCap);
  return { text: `EXPLAIN (FORMAT JSON) SELECT 1 ${renderFromWhere(request, scope)}`, params: scope.params.values };
}

/**
 * pg_class.reltuples of the relation: the cheapest estimate, for an unfiltered request. The
 * names are bound as values (taken from the catalog objects). Column "estimate" is null when the
 * relation was never analysed or is a view.
 */
export function buildEstimateQuery(catalog: Catalog, ref: RelationRef): SqlQuery {
  const { schema, relation } = findRelation(catalog, ref);
  return {
    text:
      "SELECT CASE WHEN c.relkind IN ('r', 'p', 'm', 'f') AND c.reltuples >= 0 " +
      "THEN c.reltuples::int8 END AS estimate " +
      "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace " +
      "WHERE n.nspname = $1 AND c.relname = $2",
    params: [schema.name, relation.name],
  };
}

/**
 * "Plan Rows" of the top plan node from the rows of the EXPLAIN (FORMAT JSON) query, whether the
 * driver parsed the json column or returned it as text; null when the shape is unexpected.
 */
export function readPlannedCount(rows: unknown): number | null {
  const count = readTopPlanNode(rows)?.["Plan Rows"];
  return typeof count === "number" && Number.isFinite(count) && count >= 0 ? Math.round(count) : null;
}

/** For count=estimated: run the exact count when the planner expects few rows (or cannot say). */
export function shouldCountExactly(planned: number | null, threshold: number): boolean {
  return planned === null || planned <= threshold;
}
