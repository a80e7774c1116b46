import "server-only";
import type { Catalog, CatalogColumn } from "@/lib/explore/catalog";
import { normalizeTypeName } from "@/lib/explore/grammar";

/**
 * JSON Schemas of table rows, from the catalog's column types, as the table API's bodies carry
 * them (to_json's typing, see sql/json-rows.ts): integers, numbers, booleans, ISO strings for
 * dates and times, arrays of their element's schema, anything for json/jsonb, text otherwise.
 */
type JsonSchema = Record<string, unknown>;

const BY_TYPE: Record<string, JsonSchema> = {
  int2: { type: "integer" },
  int4: { type: "integer" },
  int8: { type: "integer" },
  float4: { type: "number" },
  float8: { type: "number" },
  numeric: { type: "number" },
  bool: { type: "boolean" },
  date: { type: "string", format: "date" },
  timestamp: { type: "string", format: "date-time" },
  timestamptz: { type: "string", format: "date-time" },
  time: { type: "string", format: "time" },
  uuid: { type: "string", format: "uuid" },
  json: {},
  jsonb: {},
};

function typeSchema(typeName: string): JsonSchema {
  const name = normalizeTypeName(typeName);
  if (name.startsWith("_")) return { type: "array", items: typeSchema(name.slice(1)) };
  return BY_TYPE[name] ?? { type: "string" };
}

function columnSchema(column: CatalogColumn): JsonSchema {
  const schema: JsonSchema = { ...typeSchema(column.type), description: `${column.type}${column.comment ? ` — ${column.comment}` : ""}` };
  if (!column.nullable) return schema;
  // Nullable: the type or null (json/jsonb already admit anything).
  return typeof schema.type === "string" ? { ...schema, type: [schema.type, "null"] } : schema;
}

/** `components.schemas` entries, one per relation, keyed `schema.name`. */
export function rowSchemas(catalog: Catalog): Record<string, JsonSchema> {
  const out: Record<string, JsonSchema> = {};
  for (const schema of catalog.schemas) {
    for (const relation of schema.relations) {
      const columns = [...relation.columns].sort((a, b) => a.ordinal - b.ordinal);
      out[`${schema.name}.${relation.name}`] = {
        type: "object",
        description: `A row of ${schema.name}.${relation.name} (${relation.kind})`,
        properties: Object.fromEntries(columns.map((c) => [c.name, columnSchema(c)])),
        required: columns.filter((c) => !c.nullable).map((c) => c.name),
      };
    }
  }
  return out;
}
