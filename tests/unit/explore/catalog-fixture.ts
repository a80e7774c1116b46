import type { Catalog, CatalogColumn } from "@/lib/explore/catalog";

function columns(spec: Array<[string, string, boolean?]>): CatalogColumn[] {
  return spec.map(([name, type, nullable = true], i) => ({ name, type, nullable, ordinal: i + 1 }));
}

/** A catalog with every family of type the builder distinguishes, plus awkward names. */
export const catalog: Catalog = {
  schemas: [
    {
      name: "data",
      relations: [
        {
          name: "people",
          kind: "table",
          estimatedRows: 200_000,
          columns: columns([
            ["id", "int4", false],
            ["name", "text"],
            ["email", "varchar"],
            ["age", "int2"],
            ["big", "int8"],
            ["score", "numeric"],
            ["ratio", "float8"],
            ["active", "bool"],
            ["born", "date"],
            ["created_at", "timestamptz"],
            ["local_ts", "timestamp"],
            ["wake", "time"],
            ["uid", "uuid"],
            ["meta", "jsonb"],
            ["doc", "json"],
            ["tags", "_text"],
            ["mood", "mood"],
            ["spot", "point"],
            ['we"ird', "text"],
            ["my col", "text"],
            ["a.b", "text"],
            ["select", "text"],
            ["and", "int4"],
          ]),
        },
        {
          // Embedding: a to-many from people, a to-one to people.
          name: "pets",
          kind: "table",
          estimatedRows: 10,
          primaryKey: ["id"],
          columns: columns([
            ["id", "int4", false],
            ["owner", "int4"],
            ["name", "text"],
          ]),
          foreignKeys: [{ name: "pets_owner_fkey", columns: ["owner"], references: { schema: "data", relation: "people", columns: ["id"] } }],
        },
        {
          // A to-many below the to-many pets: people → pets → toys.
          name: "toys",
          kind: "table",
          estimatedRows: 10,
          primaryKey: ["id"],
          columns: columns([
            ["id", "int4", false],
            ["pet", "int4"],
            ["label", "text"],
          ]),
          foreignKeys: [{ name: "toys_pet_fkey", columns: ["pet"], references: { schema: "data", relation: "pets", columns: ["id"] } }],
        },
        {
          name: "people_view",
          kind: "view",
          estimatedRows: null,
          columns: columns([
            ["id", "integer"],
            ["name", "character varying(40)"],
          ]),
        },
      ],
    },
    {
      name: "other",
      relations: [{ name: "t", kind: "table", estimatedRows: 0, columns: columns([["x", "text"]]) }],
    },
  ],
};

export const people = { schema: "data", name: "people" } as const;

/** Every identifier the builder may legitimately write into SQL for this catalog. */
export const catalogNames: ReadonlySet<string> = new Set(
  catalog.schemas.flatMap((s) => [s.name, ...s.relations.flatMap((r) => [r.name, ...r.columns.map((c) => c.name)])]),
);
