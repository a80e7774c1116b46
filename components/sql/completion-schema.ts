import type { SQLNamespace } from "@codemirror/lang-sql";
import type { Catalog } from "@/lib/explore/catalog";

/** The catalog as CodeMirror's completion namespace: schema → table → columns (with their types as detail). */
export function completionSchema(catalog: Catalog): SQLNamespace {
  const namespace: Record<string, Record<string, { label: string; type: string; detail: string }[]>> = {};
  for (const schema of catalog.schemas) {
    const tables: Record<string, { label: string; type: string; detail: string }[]> = {};
    for (const relation of schema.relations) {
      tables[relation.name] = relation.columns.map((column) => ({ label: column.name, type: "property", detail: column.type }));
    }
    namespace[schema.name] = tables;
  }
  return namespace;
}
