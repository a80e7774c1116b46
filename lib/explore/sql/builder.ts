import { findRelation } from "@/lib/explore/catalog";
import type { Catalog, RelationRef } from "@/lib/explore/catalog";
import type { ReadRequest, SelectItem } from "@/lib/explore/grammar";
import {
  renderFromWhere,
  renderOrder,
  renderSelect,
  topScope,
  withKeyTiebreaker,
  type EmbeddedArray,
  type OutputColumn,
} from "@/lib/explore/sql/select";
import { Params, type SqlQuery } from "@/lib/explore/sql/text";
import { ExploreError } from "@/lib/explore/errors";

export type { SqlQuery } from "@/lib/explore/sql/text";
export { buildEstimateQuery, buildExactCountQuery, buildPlannedCountQuery, readPlannedCount, shouldCountExactly } from "@/lib/explore/sql/count";

export type { EmbeddedArray, OutputColumn } from "@/lib/explore/sql/select";

export interface ReadQuery extends SqlQuery {
  /**
   * Output columns in SQL order. The SQL gives them no aliases (aliases are request text), so
   * read rows positionally — postgres.js `.values()` — and key them with `columns[i].name`.
   */
  columns: OutputColumn[];
  /** The embedded to-many arrays of a row, nested as they nest (see RenderedSelect.arrays); empty without embeds. */
  arrays: EmbeddedArray[];
  /** Whether the select embeds anything (the read then passes the cost guard). */
  embeds: boolean;
  /** The window actually queried: limit is clamped to the row cap. */
  offset: number;
  limit: number;
}

export interface BuildOptions {
  /** Server-side maximum of rows one request may return; a positive integer. */
  rowCap: number;
}

/** Re-checks a page that may come from a hand-built AST, then applies the row cap. */
function effectiveWindow(page: ReadRequest["page"], rowCap: number): { offset: number; limit: number } {
  if (!Number.isSafeInteger(rowCap) || rowCap < 1) throw new RangeError(`rowCap must be a positive integer`);
  if (!Number.isSafeInteger(page.offset) || page.offset < 0) {
    throw new ExploreError("bad_offset", "offset must be a non-negative integer", { value: page.offset });
  }
  if (page.limit !== null && (!Number.isSafeInteger(page.limit) || page.limit < 0)) {
    throw new ExploreError("bad_limit", "limit must be a non-negative integer", { value: page.limit });
  }
  return { offset: page.offset, limit: Math.min(page.limit ?? rowCap, rowCap) };
}

function embedsAnything(items: readonly SelectItem[] | null): boolean {
  return (items ?? []).some((item) => item.kind === "embed");
}

/**
 * The data query of a read request. Every identifier in `text` is copied from the catalog
 * objects; every request value is a `$n` parameter. LIMIT and OFFSET are written as numbers:
 * they are integers re-rendered from validated JS numbers, and literal limits let the planner
 * pick an index scan for "ORDER BY … LIMIT 25" even under a generic (prepared) plan.
 */
export function buildReadQuery(catalog: Catalog, ref: RelationRef, request: ReadRequest, options: BuildOptions): ReadQuery {
  const target = findRelation(catalog, ref);
  const window = effectiveWindow(request.page, options.rowCap);
  // Values are numbered in the order they are bound: select, where, order.
  const scope = topScope(catalog, target, new Params(), options.rowCap);
  const select = renderSelect(request.select, scope);
  const fromWhere = renderFromWhere(request, scope);
  const order = renderOrder(withKeyTiebreaker(request.order, target), request.select, scope);
  const text =
    `SELECT ${select.sql.join(", ")} ${fromWhere}` + (order === null ? "" : ` ORDER BY ${order}`) + ` LIMIT ${window.limit} OFFSET ${window.offset}`;
  return { text, params: scope.params.values, columns: select.out, arrays: select.arrays, embeds: embedsAnything(request.select), ...window };
}
