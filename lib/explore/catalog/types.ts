/**
 * A snapshot of what the table API may expose: the schemas of DATA_SCHEMAS, their tables and
 * views, and their columns, as read through the readonly role. It is the whitelist of the
 * grammar: every identifier that reaches SQL text is copied from these objects, never from a
 * request.
 */
export interface Catalog {
  schemas: readonly CatalogSchema[];
}

export interface CatalogSchema {
  name: string;
  relations: readonly CatalogRelation[];
}

/**
 * "table" covers ordinary, partitioned and foreign tables; "view" covers views and materialized
 * views — the read API treats them alike, the UI may label them.
 */
export type RelationKind = "table" | "view";

export interface CatalogRelation {
  name: string;
  kind: RelationKind;
  /** pg_class.reltuples; null when unknown (never analysed, or a view). */
  estimatedRows: number | null;
  /** In ordinal order; `select=*` expands to this order. */
  columns: readonly CatalogColumn[];
  /**
   * Primary-key column names in key order; empty or absent for views and keyless tables. The
   * builder appends them to ORDER BY so that paging is stable.
   */
  primaryKey?: readonly string[];
  /** COMMENT ON the relation, for the schema browser. */
  comment?: string | null;
  /**
   * Foreign keys of this relation whose referenced relation is in the catalog too (so readable):
   * resource embedding follows them, to-one from here, to-many from the other side.
   */
  foreignKeys?: readonly CatalogForeignKey[];
}

export interface CatalogForeignKey {
  /** The constraint's name, usable as an embedding hint (`customers!orders_customer_id_fkey(…)`). */
  name: string;
  /** Columns of this relation, in key order. */
  columns: readonly string[];
  references: { schema: string; relation: string; columns: readonly string[] };
}

export interface CatalogColumn {
  name: string;
  /**
   * pg_type.typname (information_schema.columns.udt_name): "int4", "varchar", "timestamptz",
   * "_text" for text[], the bare name of an enum or domain. SQL-standard spellings ("integer",
   * "character varying") are understood too. Types outside the builtin table in column-types.ts
   * are never written into SQL; their values are left for Postgres to infer from the column.
   */
  type: string;
  nullable: boolean;
  /** attnum, 1-based. */
  ordinal: number;
  /** COMMENT ON the column, for the schema browser. */
  comment?: string | null;
}

/** Names a relation the way the URL does: `/api/v1/tables/{schema}.{name}`. */
export interface RelationRef {
  schema: string;
  name: string;
}

/** A relation found in the catalog, together with its schema. */
export interface ResolvedRelation {
  schema: CatalogSchema;
  relation: CatalogRelation;
}
