import "server-only";
import { singleton } from "@/lib/core/singleton";
import { withRole } from "@/lib/db/clients";
import { env } from "@/lib/env";
import { mapQueryError } from "@/lib/explore/pg-errors";
import type { Catalog, CatalogColumn, CatalogRelation, CatalogSchema, RelationKind } from "@/lib/explore/catalog/types";

/*
 * The whitelist of the table API, read from pg_catalog through the readonly role, so it lists
 * exactly what that role may SELECT (has_table_privilege) — a table the grants hide is unknown,
 * not a 403 that confirms it exists.
 */
const CATALOG_SQL = `
SELECT n.nspname AS schema_name,
       c.relname AS relation_name,
       c.relkind AS relkind,
       CASE WHEN c.relkind IN ('r', 'p', 'm', 'f') AND c.reltuples >= 0 THEN c.reltuples::int8 END AS estimate,
       pg_catalog.obj_description(c.oid, 'pg_class') AS relation_comment,
       a.attname AS column_name,
       a.attnum AS ordinal,
       t.typname AS type_name,
       NOT a.attnotnull AS nullable,
       pg_catalog.col_description(c.oid, a.attnum) AS column_comment,
       (SELECT array_position(i.indkey::int2[], a.attnum)
          FROM pg_catalog.pg_index i
         WHERE i.indrelid = c.oid AND i.indisprimary) AS key_position
  FROM pg_catalog.pg_class c
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
  JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
 WHERE n.nspname = ANY (string_to_array($1::text, ','))
   AND c.relkind IN ('r', 'p', 'f', 'v', 'm')
   AND pg_catalog.has_table_privilege(c.oid, 'SELECT')
 ORDER BY n.nspname, c.relname, a.attnum`;

/**
 * Foreign keys between relations of DATA_SCHEMAS the readonly role may read (columns in key
 * order, as json: the pool's connections do not parse Postgres arrays).
 */
const FOREIGN_KEYS_SQL = `
SELECT n.nspname AS schema_name, c.relname AS relation_name, k.conname AS name,
       rn.nspname AS ref_schema, r.relname AS ref_relation,
       to_json(ARRAY(SELECT a.attname::text FROM unnest(k.conkey) WITH ORDINALITY u(attnum, i)
               JOIN pg_catalog.pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.attnum ORDER BY u.i)) AS columns,
       to_json(ARRAY(SELECT a.attname::text FROM unnest(k.confkey) WITH ORDINALITY u(attnum, i)
               JOIN pg_catalog.pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = u.attnum ORDER BY u.i)) AS ref_columns
  FROM pg_catalog.pg_constraint k
  JOIN pg_catalog.pg_class c ON c.oid = k.conrelid
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_catalog.pg_class r ON r.oid = k.confrelid
  JOIN pg_catalog.pg_namespace rn ON rn.oid = r.relnamespace
 WHERE k.contype = 'f'
   AND n.nspname = ANY (string_to_array($1::text, ',')) AND rn.nspname = ANY (string_to_array($1::text, ','))
   AND pg_catalog.has_table_privilege(c.oid, 'SELECT') AND pg_catalog.has_table_privilege(r.oid, 'SELECT')
 ORDER BY n.nspname, c.relname, k.conname`;

interface ForeignKeyRow {
  schema_name: string;
  relation_name: string;
  name: string;
  ref_schema: string;
  ref_relation: string;
  columns: string[];
  ref_columns: string[];
}

interface CatalogRow {
  schema_name: string;
  relation_name: string;
  relkind: string;
  estimate: string | null;
  relation_comment: string | null;
  column_name: string;
  ordinal: number;
  type_name: string;
  nullable: boolean;
  column_comment: string | null;
  key_position: number | null;
}

interface RelationDraft extends CatalogRelation {
  columns: CatalogColumn[];
  keyParts: Array<{ name: string; position: number }>;
}

/** Pure: groups the catalog rows (one per column) into schemas and relations. */
export function catalogFromRows(schemas: readonly string[], rows: readonly CatalogRow[], foreignKeys: readonly ForeignKeyRow[] = []): Catalog {
  const bySchema = new Map<string, Map<string, RelationDraft>>(schemas.map((s) => [s, new Map()]));
  for (const row of rows) {
    const relations = bySchema.get(row.schema_name);
    if (!relations) continue;
    let relation = relations.get(row.relation_name);
    if (!relation) {
      const kind: RelationKind = row.relkind === "v" || row.relkind === "m" ? "view" : "table";
      relation = {
        name: row.relation_name,
        kind,
        estimatedRows: row.estimate === null ? null : Number(row.estimate),
        columns: [],
        keyParts: [],
        comment: row.relation_comment,
      };
      relations.set(row.relation_name, relation);
    }
    relation.columns.push({
      name: row.column_name,
      type: row.type_name,
      nullable: row.nullable,
      ordinal: Number(row.ordinal),
      comment: row.column_comment,
    });
    if (row.key_position !== null) relation.keyParts.push({ name: row.column_name, position: Number(row.key_position) });
  }
  const result: CatalogSchema[] = [...bySchema].map(([name, relations]) => ({
    name,
    relations: [...relations.values()].map(({ keyParts, ...relation }) => ({
      ...relation,
      primaryKey: keyParts.sort((a, b) => a.position - b.position).map((part) => part.name),
      foreignKeys: foreignKeys
        .filter((fk) => fk.schema_name === name && fk.relation_name === relation.name)
        .map((fk) => ({
          name: fk.name,
          columns: fk.columns,
          references: { schema: fk.ref_schema, relation: fk.ref_relation, columns: fk.ref_columns },
        })),
    })),
  }));
  return { schemas: result };
}

async function loadCatalog(): Promise<Catalog> {
  const schemas = env().DATA_SCHEMAS;
  const [rows, foreignKeys] = await withRole("readonly", async ({ sql }): Promise<[CatalogRow[], ForeignKeyRow[]]> => [
    await sql.unsafe<CatalogRow[]>(CATALOG_SQL, [schemas.join(",")], { prepare: false }),
    await sql.unsafe<ForeignKeyRow[]>(FOREIGN_KEYS_SQL, [schemas.join(",")], { prepare: false }),
  ]).catch((error: unknown) => {
    throw mapQueryError(error);
  });
  return catalogFromRows(schemas, rows, foreignKeys);
}

interface CacheEntry {
  expires: number;
  value: Promise<Catalog>;
}

const cache = singleton("sluiceCatalog", (): { entry?: CacheEntry } => ({}));

/**
 * The catalog, cached per process for CATALOG_TTL_MS (default 30 s): every table request checks
 * identifiers against it, and DDL is rare. Concurrent callers share one load; a failed load is
 * not cached. The signal only stops this caller from waiting — the shared load goes on.
 */
export async function getCatalog(signal?: AbortSignal): Promise<Catalog> {
  const now = Date.now();
  let entry = cache.entry;
  if (!entry || entry.expires <= now) {
    const value = loadCatalog();
    entry = { expires: now + env().CATALOG_TTL_MS, value };
    cache.entry = entry;
    const current = entry;
    value.catch(() => {
      if (cache.entry === current) cache.entry = undefined;
    });
  }
  if (!signal) return entry.value;
  signal.throwIfAborted();
  return await new Promise<Catalog>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    entry.value.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

/** Drops the cached catalog, e.g. after a test changes the schema. */
export function invalidateCatalog(): void {
  cache.entry = undefined;
}
