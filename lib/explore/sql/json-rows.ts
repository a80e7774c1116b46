import type { EmbeddedArray, ReadQuery } from "@/lib/explore/sql/builder";
import { Params, quoteIdent, type SqlQuery } from "@/lib/explore/sql/text";

/*
 * The body of a table read is built in Postgres, the way PostgREST builds it: each row of the
 * ranged query becomes `to_json` text, so int8 and numeric are JSON numbers with every digit,
 * timestamps are ISO 8601, arrays are JSON arrays and json/jsonb are nested — Node only joins
 * the texts with commas, never parses or re-serialises them.
 *
 * The output keys (aliases are request text) reach the SQL only as quoted identifiers in the
 * derived table's column list; the grammar bounds them to Postgres' identifier length, so
 * none is truncated into another. `count(*) OVER ()` gives the page's row count with the first
 * row, so the status and Content-Range can go out before the rows are streamed; beside it the
 * number of rows in the page's embedded arrays at every level (see embeddedRows), so an answer
 * that would hold more rows than the row cap is refused before any byte goes out.
 */
export interface JsonRowsQuery extends SqlQuery {
  /** Column 0: the row as JSON text; column 1: the number of rows in the page (int8); column 2: their embedded rows (numeric). */
  readonly shape: "json-row,page-rows,embedded-rows";
}

/**
 * The rows an embedded array adds to a row, read from the JSON Postgres built: its length, plus
 * for nested arrays the rows of theirs in each element (`json_array_elements` under a generated
 * alias `_aN`). `object` is the JSON the array's path starts from; path keys are bound values,
 * except a row's first key, which is one of its output columns (a quoted identifier).
 */
function embeddedRows(array: EmbeddedArray, object: { row: true } | { element: string }, params: Params, aliases: { next: number }): string {
  const keys = (path: readonly string[]) => `ARRAY[${path.map((key) => `${params.add(key)}::text`).join(", ")}]`;
  const [first, ...rest] = array.path;
  const value =
    "row" in object
      ? rest.length === 0
        ? `t.${quoteIdent(first!)}`
        : `(t.${quoteIdent(first!)} #> ${keys(rest)})`
      : `(${object.element} #> ${keys(array.path)})`;
  const own = `coalesce(json_array_length(${value}), 0)`;
  if (array.inner.length === 0) return own;
  const element = `_a${aliases.next++}`;
  const inner = array.inner.map((child) => embeddedRows(child, { element: `${element}.v` }, params, aliases));
  return `${own} + (SELECT coalesce(sum(${inner.join(" + ")}), 0) FROM json_array_elements(${value}) AS ${element}(v))`;
}

export function buildJsonRowsQuery(query: ReadQuery): JsonRowsQuery {
  const keys = query.columns.length === 0 ? "" : `(${query.columns.map((c) => quoteIdent(c.name)).join(", ")})`;
  const params = new Params(query.params);
  const aliases = { next: 1 };
  const lengths = query.arrays.map((array) => embeddedRows(array, { row: true }, params, aliases));
  const embedded = lengths.length === 0 ? "0" : `sum(${lengths.join(" + ")}) OVER ()`;
  return {
    text: `SELECT to_json(t)::text, count(*) OVER (), ${embedded} FROM (${query.text}) t${keys}`,
    params: params.values,
    shape: "json-row,page-rows,embedded-rows",
  };
}
