import type { Catalog, CatalogRelation } from "@/lib/explore/catalog";
import type { BrowserRelation } from "@/components/explore/schema-browser";

/** The catalog flattened into what the browser pages render (plain data, safe to pass to client components). */
export function browserRelations(catalog: Catalog): BrowserRelation[] {
  return catalog.schemas.flatMap((schema) => schema.relations.map((relation) => toBrowserRelation(schema.name, relation)));
}

function toBrowserRelation(schema: string, relation: CatalogRelation): BrowserRelation {
  const key = new Set(relation.primaryKey ?? []);
  return {
    schema,
    name: relation.name,
    kind: relation.kind,
    estimatedRows: relation.estimatedRows,
    comment: relation.comment ?? null,
    columns: [...relation.columns]
      .sort((a, b) => a.ordinal - b.ordinal)
      .map((column) => ({
        name: column.name,
        type: column.type,
        nullable: column.nullable,
        comment: column.comment ?? null,
        primaryKey: key.has(column.name),
      })),
  };
}

/**
 * `/explore/data.orders` → the relation. Matching the whole `schema.name`
 * text against the catalog (rather than splitting at a dot) keeps names that
 * contain dots working.
 */
export function findBrowserRelation(catalog: Catalog, segment: string): BrowserRelation | null {
  let text = segment;
  try {
    text = decodeURIComponent(segment);
  } catch {
    // A malformed escape is just a name that matches nothing.
  }
  return browserRelations(catalog).find((relation) => `${relation.schema}.${relation.name}` === text) ?? null;
}
