import { ColumnIndex } from "@/lib/explore/catalog";
import type { CatalogColumn, ResolvedRelation } from "@/lib/explore/catalog";
import { builtinType, isComparable, type BuiltinType } from "@/lib/explore/grammar";
import type { Condition, Filter, Group, ReadRequest } from "@/lib/explore/grammar";
import { Params, qualifiedName, quoteIdent } from "@/lib/explore/sql/text";
import { ExploreError, show } from "@/lib/explore/errors";

const COMPARISON_SQL = { eq: "=", neq: "<>", gt: ">", gte: ">=", lt: "<", lte: "<=" } as const;
const PATTERN_SQL = { like: "LIKE", ilike: "ILIKE" } as const;

/** What the builder needs to know about a column to compare it with a bound value. */
interface Operand {
  column: CatalogColumn;
  builtin: BuiltinType | null;
  /** The column as an SQL expression: json is compared as jsonb, which has `=` and ordering. */
  expr: string;
}

export function operand(column: CatalogColumn): Operand {
  const builtin = builtinType(column.type);
  const ident = quoteIdent(column.name);
  return { column, builtin, expr: builtin?.name === "json" ? `${ident}::jsonb` : ident };
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
 * value reaches Postgres' own input function untouched. Other types (enums, domains, arrays)
 * get a bare placeholder whose type Postgres infers from the column; the driver has no
 * serializer for those and sends the string as is.
 */
function bind(column: CatalogColumn, builtin: BuiltinType | null, value: string, params: Params): string {
  const problem = value.includes("\u0000") ? "text without NUL characters" : (builtin?.check?.(value) ?? null);
  if (problem !== null) {
    throw new ExploreError("bad_value", `Bad value ${show(value)} for column ${show(column.name)} of type ${column.type}: expected ${problem}`, {
      column: column.name,
      type: column.type,
      value,
    });
  }
  const placeholder = params.add(value);
  if (!builtin) return placeholder;
  const type = builtin.family === "json" ? "jsonb" : builtin.name;
  return type === "text" ? `${placeholder}::text` : `${placeholder}::text::${type}`;
}

function renderFilter(filter: Filter, columns: ColumnIndex, params: Params): string {
  const target = operand(columns.get(filter.column));
  const ident = quoteIdent(target.column.name);
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
    case "ilike": {
      // PostgREST's `*` wildcard; comparing as text keeps like usable on any column type.
      const pattern = filter.value.replaceAll("*", "%");
      const lhs = target.builtin?.family === "text" ? ident : `${ident}::text`;
      return `${lhs} ${PATTERN_SQL[filter.op]} ${bind(target.column, builtinType("text"), pattern, params)}`;
    }
    case "in": {
      requireComparable(target, "Operator in");
      if (filter.values.length === 0) return "FALSE";
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
      return `${target.expr} ${COMPARISON_SQL[filter.op]} ${bind(target.column, target.builtin, filter.value, params)}`;
    default:
      // Reachable only with an AST built by hand outside the parser.
      throw new ExploreError("unknown_operator", `Unknown operator ${show(String((filter as { op: unknown }).op))}`);
  }
}

function renderGroup(group: Group, columns: ColumnIndex, params: Params): string {
  const parts = group.conditions.map((c) => renderCondition(c, columns, params));
  // An empty group can only come from a hand-built AST; give it the neutral element.
  if (parts.length === 0) return group.op === "and" ? "(TRUE)" : "(FALSE)";
  return `(${parts.join(group.op === "and" ? " AND " : " OR ")})`;
}

function renderCondition(condition: Condition, columns: ColumnIndex, params: Params): string {
  const sql = condition.kind === "group" ? renderGroup(condition, columns, params) : renderFilter(condition, columns, params);
  return condition.negated ? `NOT (${sql})` : sql;
}

/** The WHERE clause (without the keyword) for top-level conditions, or null when there are none. */
export function renderWhere(conditions: readonly Condition[], columns: ColumnIndex, params: Params): string | null {
  if (conditions.length === 0) return null;
  return conditions.map((c) => renderCondition(c, columns, params)).join(" AND ");
}

/** FROM … WHERE … shared by the data and count queries, so both see the same rows and params. */
export function renderFromWhere(target: ResolvedRelation, request: ReadRequest, params: Params): string {
  const where = renderWhere(request.where, new ColumnIndex(target), params);
  return `FROM ${qualifiedName(target)}${where === null ? "" : ` WHERE ${where}`}`;
}
