import type { ReadQuery } from "@/lib/explore/sql/builder";
import { quoteIdent, type SqlQuery } from "@/lib/explore/sql/text";

/*
 * The body of a table read is built in Postgres, the way PostgREST builds it: each row of the
 * ranged query becomes `to_json` text, so int8 and numeric are JSON numbers with every digit,
 * timestamps are ISO 8601, arrays are JSON arrays and json/jsonb are nested — Node only joins
 * the texts with commas, never parses or re-serialises them.
 *
 * The output keys (aliases are request text) reach the SQL only as quoted identifiers in the
 * derived table's column list; the grammar bounds them to Postgres' identifier length, so
 * none is truncated into another. `count(*) OVER ()` gives the page's row count with the first
 * row, so the status and Content-Range can go out before the rows are streamed.
 */
export interface JsonRowsQuery extends SqlQuery {
  /** Column 0: the row as JSON text; column 1: the number of rows in the page (int8). */
  readonly shape: "json-row,page-rows";
}

export function buildJsonRowsQuery(query: ReadQuery): JsonRowsQuery {
  const keys = query.columns.length === 0 ? "" : `(${query.columns.map((c) => quoteIdent(c.name)).join(", ")})`;
  return {
    text: `SELECT to_json(t)::text, count(*) OVER () FROM (${query.text}) t${keys}`,
    params: query.params,
    shape: "json-row,page-rows",
  };
}
