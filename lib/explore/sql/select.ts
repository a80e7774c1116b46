import { ColumnIndex } from "@/lib/explore/catalog";
import type { Catalog, ResolvedRelation } from "@/lib/explore/catalog";
import { canCast, notEmbedded, pathOutputName } from "@/lib/explore/grammar";
import type { EmbedItem, OrderTerm, ReadRequest, SelectItem } from "@/lib/explore/grammar";
import { resolveRelationship, type Relationship } from "@/lib/explore/sql/embed";
import { operand, renderWhere, requireComparable, type WhereScope } from "@/lib/explore/sql/conditions";
import { Params, qualifiedName, quoteIdent } from "@/lib/explore/sql/text";
import { ExploreError, show, showPgrst } from "@/lib/explore/errors";

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

/**
 * Where a select list is rendered: the relation, how its columns are named from a subquery, the
 * shared values. Every name in the SQL comes from the catalog or is generated here (`_e1`…).
 */
export interface SelectScope {
  catalog: Catalog;
  target: ResolvedRelation;
  /** The relation as referenced from inside an embed's subquery: its qualified name, or its generated alias. */
  ref: string;
  params: Params;
  rowCap: number;
  /** Numbering of generated aliases (`_e1`, `_e2`…): never request text. */
  aliases: { next: number };
}

/**
 * A to-many array of the output: its key path from the object it sits in (`["orders"]`, or
 * `["customers", "orders"]` through a to-one or a spread), and the to-many arrays inside each of
 * its elements (`order_items` of every order). Its rows plus theirs are the embedded rows it adds.
 */
export interface EmbeddedArray {
  path: string[];
  inner: EmbeddedArray[];
}

export interface RenderedSelect {
  sql: string[];
  out: OutputColumn[];
  /**
   * The to-many arrays of one output row, nested as they nest: walking them counts every
   * embedded row of the answer, at every level (sql/json-rows.ts).
   */
  arrays: EmbeddedArray[];
}

/** The embed of this level a name refers to: PostgREST's lookup, first by relation or alias. */
function findEmbed(items: readonly SelectItem[] | null, name: string, exact: boolean): EmbedItem | null {
  for (const item of items ?? []) {
    if (item.kind !== "embed") continue;
    if (exact ? (item.alias ?? item.relation) === name : item.relation === name || item.alias === name) return item;
  }
  return null;
}

function notToOne(reason: "related_order_not_to_one" | "spread_not_to_one", what: string, scope: SelectScope, name: string): ExploreError {
  return new ExploreError(reason, `A ${what} on ${showPgrst(name)} is not possible`, {
    pgrstCode: reason === "spread_not_to_one" ? "PGRST119" : "PGRST118",
    hint: `${showPgrst(scope.target.relation.name)} and ${showPgrst(name)} do not form a many-to-one or one-to-one relationship`,
    relation: name,
  });
}

function resolve(item: EmbedItem, scope: SelectScope): Relationship {
  const relationship = resolveRelationship(scope.catalog, scope.target, item);
  if (item.spread && relationship.kind === "to-many") throw notToOne("spread_not_to_one", "spread operation", scope, item.relation);
  return relationship;
}

/** The scope of an embed's subquery: the embedded relation under a fresh generated alias. */
function childScope(scope: SelectScope, relationship: Relationship): SelectScope {
  return {
    ...scope,
    target: relationship.child,
    ref: quoteIdent(`_e${scope.aliases.next++}`),
  };
}

/**
 * `FROM child AS _eN WHERE <join> AND <the embed's filters> AND <its !inner embeds> ORDER BY …
 * LIMIT … OFFSET …`: the embedded rows of one parent row, shared by the embed's value, its
 * `!inner` condition on the parent, a spread's columns and a related order. To-many rows come in
 * the requested order with the key as tiebreaker (else key order), at most the row cap of them;
 * to-one is the one related row.
 */
function embedRows(item: EmbedItem, relationship: Relationship, parent: SelectScope, child: SelectScope): string {
  const join = relationship.join.map((pair) => `${child.ref}.${quoteIdent(pair.child)} = ${parent.ref}.${quoteIdent(pair.parent)}`);
  const where = renderWhere(item.where ?? [], whereScope(item.select, child));
  const conditions = [...join, ...(where === null ? [] : [where]), ...renderInnerConditions(item.select, child)];
  let text = `FROM ${qualifiedName(child.target)} AS ${child.ref} WHERE ${conditions.join(" AND ")}`;
  const page = item.page ?? { offset: 0, limit: null };
  if (relationship.kind === "to-many") {
    const order = renderOrder(withKeyTiebreaker(item.order ?? [], child.target), item.select, child);
    if (order !== null) text += ` ORDER BY ${order}`;
    text += ` LIMIT ${Math.min(page.limit ?? child.rowCap, child.rowCap)}`;
  } else {
    const order = renderOrder(item.order ?? [], item.select, child);
    if (order !== null) text += ` ORDER BY ${order}`;
    text += ` LIMIT ${Math.min(page.limit ?? 1, 1)}`;
  }
  return page.offset > 0 ? `${text} OFFSET ${page.offset}` : text;
}

/** `EXISTS (SELECT 1 FROM child …)`: whether a parent row has the embedded rows the embed shows. */
function embedExists(item: EmbedItem, scope: SelectScope): string {
  const relationship = resolve(item, scope);
  return `EXISTS (SELECT 1 ${embedRows(item, relationship, scope, childScope(scope, relationship))})`;
}

/** The conditions of one level: its columns, and its embeds for `embed=is.null` (named as PostgREST names them). */
function whereScope(items: readonly SelectItem[] | null, scope: SelectScope): WhereScope {
  return {
    columns: new ColumnIndex(scope.target),
    params: scope.params,
    embedExists: (name) => {
      const item = findEmbed(items, name, true);
      return item ? embedExists(item, scope) : null;
    },
  };
}

/**
 * The conditions `!inner` embeds put on their parent: `EXISTS (SELECT 1 FROM child … )` over the
 * same embedded rows the embed shows (its filters, its own `!inner` embeds, its window), so a
 * parent is kept only when its embed is not null or empty — as PostgREST's inner join. The data
 * and count queries both use it, so `Prefer: count` counts the parents the page shows.
 */
export function renderInnerConditions(items: readonly SelectItem[] | null, scope: SelectScope): string[] {
  const conditions: string[] = [];
  for (const item of items ?? []) {
    if (item.kind === "embed" && item.join === "inner") conditions.push(embedExists(item, scope));
  }
  return conditions;
}

export function renderSelect(items: SelectItem[] | null, scope: SelectScope): RenderedSelect {
  const columns = new ColumnIndex(scope.target);
  const rendered: RenderedSelect = { sql: [], out: [], arrays: [] };
  const names = new Set<string>();
  const push = (expr: string, col: OutputColumn) => {
    if (names.has(col.name)) {
      throw new ExploreError("duplicate_output_name", `select= yields ${show(col.name)} twice; rename one with alias:column`, { name: col.name });
    }
    names.add(col.name);
    rendered.sql.push(expr);
    rendered.out.push(col);
  };
  for (const item of items ?? [{ kind: "star" } as const]) {
    if (item.kind === "star") {
      for (const c of columns.all()) {
        push(quoteIdent(c.name), { name: c.name, column: c.name, type: c.type, nullable: c.nullable });
      }
      continue;
    }
    if (item.kind === "embed") {
      const relationship = resolve(item, scope);
      // An empty embed (`clients()`) is in no output: it is there for `clients=not.is.null`.
      if (item.select.length === 0) continue;
      const child = childScope(scope, relationship);
      const inner = renderSelect(item.select, child);
      const rows = embedRows(item, relationship, scope, child);
      if (item.spread) {
        // Each lifted column reads the one related row (or null): the child's expressions, unchanged.
        inner.sql.forEach((expr, i) => push(`(SELECT ${expr} ${rows})`, { ...inner.out[i]!, nullable: true }));
        rendered.arrays.push(...inner.arrays);
        continue;
      }
      const name = item.alias ?? item.relation;
      const keys = inner.out.map((c) => quoteIdent(c.name)).join(", ");
      if (relationship.kind === "to-one") {
        push(`(SELECT to_json(r) FROM (SELECT ${inner.sql.join(", ")} ${rows}) r(${keys}))`, {
          name,
          column: item.relation,
          type: "json",
          nullable: true,
        });
        rendered.arrays.push(...inner.arrays.map((array) => ({ ...array, path: [name, ...array.path] })));
      } else {
        push(`(SELECT coalesce(json_agg(r), '[]'::json) FROM (SELECT ${inner.sql.join(", ")} ${rows}) r(${keys}))`, {
          name,
          column: item.relation,
          type: "json",
          nullable: false,
        });
        rendered.arrays.push({ path: [name], inner: inner.arrays });
      }
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
  return rendered;
}

/**
 * The requested order plus the primary-key columns it does not already name, so that rows with
 * equal sort keys keep one order across pages (OFFSET paging over a non-unique order can skip or
 * repeat rows). A request without order= gets key order, which the primary-key index serves.
 */
export function withKeyTiebreaker(terms: readonly OrderTerm[], target: ResolvedRelation): OrderTerm[] {
  const named = new Set(terms.filter((term) => !term.path && !term.relation).map((term) => term.column));
  const key = (target.relation.primaryKey ?? []).filter((column) => !named.has(column));
  return [...terms, ...key.map((column) => ({ column, direction: "asc" as const, nulls: null }))];
}

/**
 * ORDER BY of one level. A related term (`customers(full_name).desc`) orders by a column of a
 * to-one embed of this level's select, named as PostgREST names it (alias, else relation): the
 * column of the same related row the embed shows. To-many is PostgREST's PGRST118, a name that
 * is not embedded its PGRST108.
 */
export function renderOrder(terms: readonly OrderTerm[], items: readonly SelectItem[] | null, scope: SelectScope): string | null {
  if (terms.length === 0) return null;
  const columns = new ColumnIndex(scope.target);
  return terms
    .map((term) => {
      let expr: string;
      if (term.relation === undefined) {
        const target = operand(columns.get(term.column), term.path ?? null, scope.params, scope.ref);
        requireComparable(target, "Ordering");
        expr = target.expr;
      } else {
        const item = findEmbed(items, term.relation, true);
        if (!item) throw notEmbedded(term.relation);
        const relationship = resolve(item, scope);
        if (relationship.kind !== "to-one") throw notToOne("related_order_not_to_one", "related order", scope, term.relation);
        const child = childScope(scope, relationship);
        const target = operand(new ColumnIndex(child.target).get(term.column), term.path ?? null, scope.params);
        requireComparable(target, "Ordering");
        expr = `(SELECT ${target.expr} ${embedRows(item, relationship, scope, child)})`;
      }
      const nulls = term.nulls === null ? "" : term.nulls === "first" ? " NULLS FIRST" : " NULLS LAST";
      return `${expr} ${term.direction === "desc" ? "DESC" : "ASC"}${nulls}`;
    })
    .join(", ");
}

/** The scope of a read's own relation: named by its qualified name (the FROM has no alias). */
export function topScope(catalog: Catalog, target: ResolvedRelation, params: Params, rowCap: number): SelectScope {
  return { catalog, target, ref: qualifiedName(target), params, rowCap, aliases: { next: 1 } };
}

/**
 * FROM … WHERE … shared by the data and count queries, so both see the same rows and values: the
 * top-level filters and the conditions of the `!inner` embeds.
 */
export function renderFromWhere(request: ReadRequest, scope: SelectScope): string {
  const where = renderWhere(request.where, whereScope(request.select, scope));
  const conditions = [...(where === null ? [] : [where]), ...renderInnerConditions(request.select, scope)];
  return `FROM ${qualifiedName(scope.target)}${conditions.length === 0 ? "" : ` WHERE ${conditions.join(" AND ")}`}`;
}
