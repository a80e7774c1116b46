import { ColumnIndex, findRelation } from "@/lib/explore/catalog";
import type { Catalog, RelationRef, ResolvedRelation } from "@/lib/explore/catalog";
import { canCast, pathOutputName } from "@/lib/explore/grammar";
import type { EmbedItem, OrderTerm, ReadRequest, SelectItem } from "@/lib/explore/grammar";
import { resolveRelationship } from "@/lib/explore/sql/embed";
import { operand, renderFromWhere, requireComparable } from "@/lib/explore/sql/conditions";
import { Params, qualifiedName, quoteIdent, type SqlQuery } from "@/lib/explore/sql/text";
import { ExploreError, show } from "@/lib/explore/errors";

export type { SqlQuery } from "@/lib/explore/sql/text";
export { buildEstimateQuery, buildExactCountQuery, buildPlannedCountQuery, readPlannedCount, shouldCountExactly } from "@/lib/explore/sql/count";

/** One output column of the data query, by position. */
export interface OutputColumn {
  /** The key in the response: the alias, else the column name. Never part of the SQL. */
  name: string;
  /** The catalog column it reads. */
  column: string;
  /** Type of the value returned: the cast target, else the catalog type. */
  type: string;
  nullable: boolean;
}

export interface ReadQuery extends SqlQuery {
  /**
   * Output columns in SQL order. The SQL gives them no aliases (aliases are request text), so
   * read rows positionally — postgres.js `.values()` — and key them with `columns[i].name`.
   */
  columns: OutputColumn[];
  /** The window actually queried: limit is clamped to the row cap. */
  offset: number;
  limit: number;
}

export interface BuildOptions {
  /** Server-side maximum of rows one request may return; a positive integer. */
  rowCap: number;
}

/** Where a select list is rendered: the relation, how its columns are named from a subquery, the shared values. */
interface SelectScope {
  catalog: Catalog;
  target: ResolvedRelation;
  /** The relation as referenced from inside an embed's subquery: its qualified name, or its generated alias. */
  ref: string;
  params: Params;
  rowCap: number;
  /** Numbering of generated aliases (`_e1`, `_e2`…): never request text. */
  aliases: { next: number };
  /** True under a to-many embed: another to-many below it would multiply rows. */
  underToMany: boolean;
}

function renderSelect(items: SelectItem[] | null, scope: SelectScope): { sql: string[]; out: OutputColumn[] } {
  const columns = new ColumnIndex(scope.target);
  const sql: string[] = [];
  const out: OutputColumn[] = [];
  const names = new Set<string>();
  const push = (expr: string, col: OutputColumn) => {
    if (names.has(col.name)) {
      throw new ExploreError("duplicate_output_name", `select= yields ${show(col.name)} twice; rename one with alias:column`, { name: col.name });
    }
    names.add(col.name);
    sql.push(expr);
    out.push(col);
  };
  for (const item of items ?? [{ kind: "star" } as const]) {
    if (item.kind === "star") {
      for (const c of columns.all()) {
        push(quoteIdent(c.name), { name: c.name, column: c.name, type: c.type, nullable: c.nullable });
      }
      continue;
    }
    if (item.kind === "embed") {
      push(renderEmbed(item, scope), { name: item.alias ?? item.relation, column: item.relation, type: "json", nullable: true });
      continue;
    }
    const target = operand(columns.get(item.column), item.path ?? null, scope.params);
    const c = target.column;
    if (item.cast !== null && !canCast(c.type, item.cast)) {
      throw new ExploreError("bad_cast", `Column ${show(c.name)} of type ${c.type} cannot be cast to ${item.cast}`, {
        column: c.name,
        type: c.type,
        cast: item.cast,
      });
    }
    // item.cast is a canonical name from column-types.ts' whitelist, not request text.
    const expr = item.cast === null ? target.raw : `${target.raw}::${item.cast}`;
    const name = item.alias ?? (item.path ? pathOutputName(item.path) : c.name);
    push(expr, { name, column: item.column, type: item.cast ?? c.type, nullable: c.nullable });
  }
  return { sql, out };
}

/**
 * An embedded resource as a correlated subquery built in Postgres: to-one is `to_json` of the
 * one related row (or null), to-many `json_agg` of the related rows in key order, at most the
 * row cap per parent; a to-many below a to-many is refused (rows would multiply). Every name
 * comes from the catalog, the subquery's alias is generated, and the keys are the child's
 * output names as quoted identifiers (bounded by the grammar).
 */
function renderEmbed(item: EmbedItem, scope: SelectScope): string {
  const relationship = resolveRelationship(scope.catalog, scope.target, item);
  if (relationship.kind === "to-many" && scope.underToMany) {
    throw new ExploreError(
      "too_complex",
      `Embedding ${show(item.relation)} to-many inside another to-many embed would multiply rows; read it separately`,
      {
        relation: item.relation,
      },
    );
  }
  const alias = quoteIdent(`_e${scope.aliases.next++}`);
  const child = renderSelect(item.select, {
    ...scope,
    target: relationship.child,
    ref: alias,
    underToMany: scope.underToMany || relationship.kind === "to-many",
  });
  const keys = child.out.map((c) => quoteIdent(c.name)).join(", ");
  const join = relationship.join.map((pair) => `${alias}.${quoteIdent(pair.child)} = ${scope.ref}.${quoteIdent(pair.parent)}`).join(" AND ");
  const from = `FROM ${qualifiedName(relationship.child)} AS ${alias} WHERE ${join}`;
  if (relationship.kind === "to-one") {
    return `(SELECT to_json(r) FROM (SELECT ${child.sql.join(", ")} ${from} LIMIT 1) r(${keys}))`;
  }
  const order = (relationship.child.relation.primaryKey ?? []).map((c) => `${alias}.${quoteIdent(c)}`).join(", ");
  const ordered = order === "" ? "" : ` ORDER BY ${order}`;
  return `(SELECT coalesce(json_agg(r), '[]'::json) FROM (SELECT ${child.sql.join(", ")} ${from}${ordered} LIMIT ${scope.rowCap}) r(${keys}))`;
}

/**
 * The requested order plus the primary-key columns it does not already name, so that rows with
 * equal sort keys keep one order across pages (OFFSET paging over a non-unique order can skip or
 * repeat rows). A request without order= gets key order, which the primary-key index serves.
 */
function withKeyTiebreaker(terms: readonly OrderTerm[], target: ResolvedRelation): OrderTerm[] {
  const named = new Set(terms.filter((term) => !term.path).map((term) => term.column));
  const key = (target.relation.primaryKey ?? []).filter((column) => !named.has(column));
  return [...terms, ...key.map((column) => ({ column, direction: "asc" as const, nulls: null }))];
}

function renderOrder(terms: readonly OrderTerm[], columns: ColumnIndex, params: Params): string | null {
  if (terms.length === 0) return null;
  return terms
    .map((term) => {
      const target = operand(columns.get(term.column), term.path ?? null, params);
      requireComparable(target, "Ordering");
      const nulls = term.nulls === null ? "" : term.nulls === "first" ? " NULLS FIRST" : " NULLS LAST";
      return `${target.expr} ${term.direction === "desc" ? "DESC" : "ASC"}${nulls}`;
    })
    .join(", ");
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

/**
 * The data query of a read request. Every identifier in `text` is copied from the catalog
 * objects; every request value is a `$n` parameter. LIMIT and OFFSET are written as numbers:
 * they are integers re-rendered from validated JS numbers, and literal limits let the planner
 * pick an index scan for "ORDER BY … LIMIT 25" even under a generic (prepared) plan.
 */
export function buildReadQuery(catalog: Catalog, ref: RelationRef, request: ReadRequest, options: BuildOptions): ReadQuery {
  const target = findRelation(catalog, ref);
  const columns = new ColumnIndex(target);
  const window = effectiveWindow(request.page, options.rowCap);
  // Values are numbered in the order they appear in the SQL text: select, where, order.
  const params = new Params();
  const scope = { catalog, target, ref: qualifiedName(target), params, rowCap: options.rowCap, aliases: { next: 1 }, underToMany: false };
  const select = renderSelect(request.select, scope);
  const fromWhere = renderFromWhere(target, request, params);
  const order = renderOrder(withKeyTiebreaker(request.order, target), columns, params);
  const text =
    `SELECT ${select.sql.join(", ")} ${fromWhere}` + (order === null ? "" : ` ORDER BY ${order}`) + ` LIMIT ${window.limit} OFFSET ${window.offset}`;
  return { text, params: params.values, columns: select.out, ...window };
}
