import type { Catalog, CatalogForeignKey, ResolvedRelation } from "@/lib/explore/catalog";
import { findRelation } from "@/lib/explore/catalog";
import type { EmbedItem } from "@/lib/explore/grammar";
import { ExploreError, show } from "@/lib/explore/errors";

/**
 * Resource embedding: which foreign key of the catalog relates a relation to the one a select
 * item names. To-one: a key of the parent referencing the embedded relation (named by relation,
 * or by the key's column or name as PostgREST allows: `parent(name)` on `family_tree.parent`,
 * `client(id)` for the key `client` of projects). To-many (named by relation or key name):
 * a key of the embedded relation referencing the parent (for a self-reference: the table named
 * with a hint, `children:family_tree!parent(name)`). A hint (`!fk_name` or `!column`) picks
 * one when several match; none or several left is a 400 naming the candidates.
 */
export interface Relationship {
  kind: "to-one" | "to-many";
  child: ResolvedRelation;
  foreignKey: CatalogForeignKey;
  /** Pairs of (parent column, child column) to join on. */
  join: Array<{ parent: string; child: string }>;
}

function matchesHint(fk: CatalogForeignKey, hint: string | null, referencedColumns: readonly string[]): boolean {
  return hint === null || fk.name === hint || fk.columns.includes(hint) || referencedColumns.includes(hint);
}

export function resolveRelationship(catalog: Catalog, parent: ResolvedRelation, item: EmbedItem): Relationship {
  const candidates: Relationship[] = [];
  const byColumn = (parent.relation.foreignKeys ?? []).filter(
    (fk) => (fk.columns.length === 1 && fk.columns[0] === item.relation) || fk.name === item.relation,
  );
  for (const fk of parent.relation.foreignKeys ?? []) {
    const named = fk.references.relation === item.relation || byColumn.includes(fk);
    if (!named || !matchesHint(fk, item.hint, fk.references.columns)) continue;
    // A self-reference named by its table with a hint is the to-many side (the to-one side is named by its column).
    const self = fk.references.schema === parent.schema.name && fk.references.relation === parent.relation.name;
    if (self && !byColumn.includes(fk) && item.hint !== null) continue;
    const child = findRelation(catalog, { schema: fk.references.schema, name: fk.references.relation });
    candidates.push({ kind: "to-one", child, foreignKey: fk, join: fk.columns.map((c, i) => ({ parent: c, child: fk.references.columns[i]! })) });
  }
  if (byColumn.length === 0) {
    for (const schema of catalog.schemas) {
      for (const relation of schema.relations) {
        for (const fk of relation.foreignKeys ?? []) {
          if (relation.name !== item.relation && fk.name !== item.relation) continue;
          const pointsHere = fk.references.schema === parent.schema.name && fk.references.relation === parent.relation.name;
          if (!pointsHere || !matchesHint(fk, item.hint, [])) continue;
          // A self-reference named by its table is to-one above; to-many needs the key named.
          if (relation === parent.relation && item.hint === null) continue;
          candidates.push({
            kind: "to-many",
            child: { schema, relation },
            foreignKey: fk,
            join: fk.columns.map((c, i) => ({ parent: fk.references.columns[i]!, child: c })),
          });
        }
      }
    }
  }
  const where = `${parent.schema.name}.${parent.relation.name}`;
  if (candidates.length === 0) {
    throw new ExploreError(
      "no_relationship",
      `No relationship between ${show(where)} and ${show(item.relation)}${item.hint ? ` with hint ${show(item.hint)}` : ""}`,
      {
        pgrstCode: "PGRST200",
        relation: item.relation,
      },
    );
  }
  if (candidates.length > 1) {
    throw new ExploreError(
      "ambiguous_relationship",
      `More than one relationship between ${show(where)} and ${show(item.relation)}: name one with !hint`,
      {
        pgrstCode: "PGRST201",
        relation: item.relation,
        hints: candidates.map((c) => `${item.relation}!${c.foreignKey.name}`),
      },
    );
  }
  return candidates[0]!;
}
