import type { Catalog, CatalogColumn, RelationRef, ResolvedRelation } from "@/lib/explore/catalog/types";
import { ExploreError, show } from "@/lib/explore/errors";

/** Finds a relation by exact (case-sensitive) name, as Postgres stores it. */
export function findRelation(catalog: Catalog, ref: RelationRef): ResolvedRelation {
  const schema = catalog.schemas.find((s) => s.name === ref.schema);
  const relation = schema?.relations.find((r) => r.name === ref.name);
  if (!schema || !relation) {
    throw new ExploreError("unknown_relation", `Unknown relation ${show(`${ref.schema}.${ref.name}`)}`, { schema: ref.schema, relation: ref.name });
  }
  return { schema, relation };
}

/** Column lookup for one request; a Map because a request may name many columns. */
export class ColumnIndex {
  private readonly byName: Map<string, CatalogColumn>;

  constructor(private readonly target: ResolvedRelation) {
    this.byName = new Map(target.relation.columns.map((c) => [c.name, c]));
  }

  get(name: string): CatalogColumn {
    const column = this.byName.get(name);
    if (column) return column;
    const relation = `${this.target.schema.name}.${this.target.relation.name}`;
    throw new ExploreError("unknown_column", `Unknown column ${show(name)} in relation ${show(relation)}`, { column: name, relation });
  }

  /** `select=*`: every column, in ordinal order. */
  all(): CatalogColumn[] {
    return [...this.target.relation.columns].sort((a, b) => a.ordinal - b.ordinal);
  }
}
