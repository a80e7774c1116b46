import { ColumnIndex } from "@/lib/explore/catalog";
import type { CatalogColumn } from "@/lib/explore/catalog";
import { builtinType, isComparable, normalizeTypeName, type BuiltinType } from "@/lib/explore/grammar";
import type { Condition, Filter, Group, JsonPath } from "@/lib/explore/grammar";
import { Params, quoteIdent } from "@/lib/explore/sql/text";
import { ExploreError, show } from "@/lib/explore/errors";

const COMPARISON_SQL = { eq: "=", neq: "<>", gt: ">", gte: ">=", lt: "<", lte: "<=" } as const;
const PATTERN_SQL = { like: "LIKE", ilike: "ILIKE", match: "~", imatch: "~*" } as const;
const CONTAINMENT_SQL = { cs: "@>", cd: "<@", ov: "&&", sl: "<<", sr: ">>", nxr: "&<", nxl: "&>", adj: "-|-" } as const;
const FTS_SQL = { fts: "to_tsquery", plfts: "plainto_tsquery", phfts: "phraseto_tsquery", wfts: "websearch_to_tsquery" } as const;

/** What the builder needs to know about a column (or a JSON path into one) to compare it with a bound value. */
interface Operand {
  /** The catalog column, or for a JSON path a stand-in named by the path, typed text (`->>`) or jsonb (`->`). */
  column: CatalogColumn;
  builtin: BuiltinType | null;
  /** The value as written: the quoted column, or the path expression. */
  raw: string;
  /** As compared: json as jsonb, which has `=` and ordering. */
  expr: string;
}

/**
 * A column, or a JSON path into a json/jsonb (or array) column: `("props"::jsonb -> $1::text) ->> $2::text`.
 * Keys are bound text and array indexes bound integers, so no request text reaches the SQL.
 * `qualifier` names the relation (ORDER BY: a bare name there would mean an output column first,
 * so `select=id::text&order=id` would sort the text).
 */
export function operand(column: CatalogColumn, path: JsonPath | null = null, params: Params | null = null, qualifier: string | null = null): Operand {
  const builtin = builtinType(column.type);
  const ident = qualifier === null ? quoteIdent(column.name) : `${qualifier}.${quoteIdent(column.name)}`;
  const base = { column, builtin, raw: ident, expr: builtin?.name === "json" ? `${ident}::jsonb` : ident };
  if (path === null || path.length === 0) return base;
  // Arrays are indexed through their JSON form, as PostgREST does (`numbers->0`).
  const array = normalizeTypeName(column.type).startsWith("_");
  if ((builtin?.family !== "json" && !array) || params === null) {
    throw new ExploreError("operator_not_supported", `JSON paths need a json, jsonb or array column; ${show(column.name)} is ${column.type}`, {
      column: column.name,
      type: column.type,
    });
  }
  let expr = array ? `to_jsonb(${ident})` : base.expr;
  for (const step of path) {
    const key = typeof step.key === "number" ? `${params.add(String(step.key))}::text::int4` : `${params.add(step.key)}::text`;
    expr = `(${expr} ${step.arrow} ${key})`;
  }
  const text = path[path.length - 1]!.arrow === "->>";
  const name = column.name + path.map((s) => `${s.arrow}${s.key}`).join("");
  const type = text ? "text" : "jsonb";
  return { column: { ...column, name, type, nullable: true }, builtin: builtinType(type), raw: expr, expr };
}

export function requireComparable(target: Operand, what: string): void {
  if (!isComparable(target.column.type)) {
    throw new ExploreError("operator_not_supported", `${what} is not supported on column ${show(target.column.name)} of type ${target.column.type}`, {
      column: target.column.name,
      type: target.column.type,
    });
  }
}

/**
 * Binds a value checked against the column type. Builtins are bound as text and cast in SQL
 * (`$1::text::int4`, the type name a constant of column-types.ts): postgres.js serializes a
 * parameter by the type the server describes, and its bool/json/date serializers mangle strings
 * ("true" → 'f', '{"k":1}' → a JSON string, "infinity" → a thrown RangeError); as text the
 * value reaches Postgres' own input function untouched. Other types (enums, domains, arrays,
 * ranges, inet, interval, money, bit, bytea…) get a placeholder without a type, which Postgres
 * infers from the column and parses with the type's own input function (a bad value is its
 * 22xxx error, a 400). `array` binds an array literal of the column's type (for any/all).
 */
function bind(column: CatalogColumn, builtin: BuiltinType | null, value: string, params: Params, array = false): string {
  const problem = value.includes("\u0000") ? "text without NUL characters" : array ? null : (builtin?.check?.(value) ?? null);
  if (problem !== null) {
    throw new ExploreError("bad_value", `Bad value ${show(value)} for column ${show(column.name)} of type ${column.type}: expected ${problem}`, {
      column: column.name,
      type: column.type,
      value,
    });
  }
  if (!builtin) return params.add(value, "untyped");
  const placeholder = params.add(value);
  const type = (builtin.family === "json" ? "jsonb" : builtin.name) + (array ? "[]" : "");
  return type === "text" ? `${placeholder}::text` : `${placeholder}::text::${type}`;
}

const TEXT = builtinType("text");

/** The column as text, for pattern and full-text operators: a cast where it is not text already. */
function asText(target: Operand): string {
  return target.builtin?.family === "text" ? target.raw : `${target.raw}::text`;
}

/** Where conditions are rendered: the relation's columns, the shared values, and its embeds. */
export interface WhereScope {
  columns: ColumnIndex;
  params: Params;
  /**
   * `EXISTS (…)` over the embedded rows of the embed of this level a name refers to, or null
   * when it names none: `clients=is.null` / `clients=not.is.null` test an embed, as PostgREST's
   * null filters on embeds (`select=name,clients()&clients=not.is.null`).
   */
  embedExists?: (name: string) => string | null;
}

function renderFilter(filter: Filter, { columns, params, embedExists }: WhereScope): string {
  if (filter.op === "is" && (filter.value === "null" || filter.value === "not_null") && !filter.path) {
    const exists = embedExists?.(filter.column) ?? null;
    if (exists !== null) return filter.value === "null" ? `NOT ${exists}` : exists;
  }
  const mark = params.size;
  const target = operand(columns.get(filter.column), filter.path ?? null, params);
  const ident = target.raw;
  switch (filter.op) {
    case "is": {
      if (filter.value === "null") return `${ident} IS NULL`;
      if (filter.value === "not_null") return `${ident} IS NOT NULL`;
      if (target.builtin?.family !== "bool") {
        throw new ExploreError(
          "operator_not_supported",
          `is.${filter.value} needs a boolean column; ${show(target.column.name)} is ${target.column.type}`,
          { column: target.column.name, type: target.column.type },
        );
      }
      return `${ident} IS ${filter.value.toUpperCase()}`;
    }
    case "like":
    case "ilike":
    case "match":
    case "imatch": {
      // PostgREST's `*` wildcard for like; comparing as text keeps patterns usable on any column type.
      const pattern = filter.op === "like" || filter.op === "ilike" ? filter.value.replaceAll("*", "%") : filter.value;
      if (filter.quantifier) {
        return `${asText(target)} ${PATTERN_SQL[filter.op]} ${filter.quantifier.toUpperCase()} (${bind(target.column, TEXT, pattern, params, true)})`;
      }
      return `${asText(target)} ${PATTERN_SQL[filter.op]} ${bind(target.column, TEXT, pattern, params)}`;
    }
    case "in": {
      requireComparable(target, "Operator in");
      if (filter.values.length === 0) {
        // The operand is not written: neither may the values of its JSON path be.
        params.rewind(mark);
        return "FALSE";
      }
      const list = filter.values.map((v) => bind(target.column, target.builtin, v, params));
      return `${target.expr} IN (${list.join(", ")})`;
    }
    case "eq":
    case "neq":
    case "gt":
    case "gte":
    case "lt":
    case "lte":
      requireComparable(target, `Operator ${filter.op}`);
      if (filter.quantifier) {
        const list = bind(target.column, target.builtin, filter.value, params, true);
        return `${target.expr} ${COMPARISON_SQL[filter.op]} ${filter.quantifier.toUpperCase()} (${list})`;
      }
      return `${target.expr} ${COMPARISON_SQL[filter.op]} ${bind(target.column, target.builtin, filter.value, params)}`;
    case "isdistinct":
      requireComparable(target, "Operator isdistinct");
      return `${target.expr} IS DISTINCT FROM ${bind(target.column, target.builtin, filter.value, params)}`;
    case "cs":
    case "cd":
    case "ov":
    case "sl":
    case "sr":
    case "nxr":
    case "nxl":
    case "adj":
      // Arrays and ranges (untyped: Postgres reads the literal as the column's type), jsonb for cs/cd.
      if (target.builtin !== null && !(target.builtin.family === "json" && (filter.op === "cs" || filter.op === "cd"))) {
        throw new ExploreError(
          "operator_not_supported",
          `Operator ${filter.op} needs an array, range or (cs, cd) json column; ${show(target.column.name)} is ${target.column.type}`,
          {
            column: target.column.name,
            type: target.column.type,
          },
        );
      }
      return `${target.expr} ${CONTAINMENT_SQL[filter.op]} ${bind(target.column, target.builtin, filter.value, params)}`;
    case "fts":
    case "plfts":
    case "phfts":
    case "wfts": {
      const language = filter.language === null ? null : `${params.add(filter.language)}::text::regconfig`;
      const query = `${FTS_SQL[filter.op]}(${language === null ? "" : `${language}, `}${bind(target.column, TEXT, filter.value, params)})`;
      const isVector = normalizeTypeName(target.column.type) === "tsvector";
      if (!isVector && target.builtin?.family !== "text") {
        throw new ExploreError(
          "operator_not_supported",
          `Full-text search needs a tsvector or text column; ${show(target.column.name)} is ${target.column.type}`,
          {
            column: target.column.name,
            type: target.column.type,
          },
        );
      }
      // A text column is searched through to_tsvector, in the same language as the query.
      const document = isVector ? ident : `to_tsvector(${language === null ? "" : `${language}, `}${ident})`;
      return `${document} @@ ${query}`;
    }
    default:
      // Reachable only with an AST built by hand outside the parser.
      throw new ExploreError("unknown_operator", `Unknown operator ${show(String((filter as { op: unknown }).op))}`);
  }
}

function renderGroup(group: Group, scope: WhereScope): string {
  const parts = group.conditions.map((c) => renderCondition(c, scope));
  // An empty group can only come from a hand-built AST; give it the neutral element.
  if (parts.length === 0) return group.op === "and" ? "(TRUE)" : "(FALSE)";
  return `(${parts.join(group.op === "and" ? " AND " : " OR ")})`;
}

function renderCondition(condition: Condition, scope: WhereScope): string {
  const sql = condition.kind === "group" ? renderGroup(condition, scope) : renderFilter(condition, scope);
  return condition.negated ? `NOT (${sql})` : sql;
}

/** The WHERE clause (without the keyword) for top-level conditions, or null when there are none. */
export function renderWhere(conditions: readonly Condition[], scope: WhereScope): string | null {
  if (conditions.length === 0) return null;
  return conditions.map((c) => renderCondition(c, scope)).join(" AND ");
}
