import { route } from "@/lib/server/6-route";
import { getCatalog } from "@/lib/explore/catalog-cache";

/** GET /api/v1/tables: every table and view the readonly role may read, with columns. */
export const GET = route({ scopes: ["tables:read"] }, async ({ signal }) => {
  const catalog = await getCatalog(signal);
  return {
    tables: catalog.schemas.flatMap((schema) =>
      schema.relations.map((relation) => ({
        schema: schema.name,
        name: relation.name,
        path: `${schema.name}.${relation.name}`,
        kind: relation.kind,
        estimatedRows: relation.estimatedRows,
        comment: relation.comment ?? null,
        primaryKey: relation.primaryKey ?? [],
        columns: [...relation.columns]
          .sort((a, b) => a.ordinal - b.ordinal)
          .map((column) => ({
            name: column.name,
            type: column.type,
            nullable: column.nullable,
            ordinal: column.ordinal,
            comment: column.comment ?? null,
          })),
      })),
    ),
  };
});
