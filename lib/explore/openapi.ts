import "server-only";
import { z } from "zod";
import { savedQueryIdParams, savedQueryOut, savedQueryRunBody, sqlRunBody, sqlRunResult } from "@/lib/explore/api-schemas";
import { ERROR_STATUS } from "@/lib/core/errors";
import type { Catalog } from "@/lib/explore/catalog";
import { OBJECT_MEDIA_TYPES } from "@/lib/explore/output";
import { rowSchemas } from "@/lib/explore/openapi-rows";

/**
 * The OpenAPI 3.1 description of the data API, generated from the same zod schemas the routes
 * validate with (zod 4's toJSONSchema), so the document cannot drift from what is enforced.
 */
const json = (schema: z.ZodType, io: "input" | "output" = "output") => z.toJSONSchema(schema, { io, unrepresentable: "any" });

const errorBody = z.object({
  error: z.object({
    code: z.enum(Object.keys(ERROR_STATUS) as [string, ...string[]]),
    message: z.string(),
    details: z
      .unknown()
      .optional()
      .describe("For explorer errors: { reason, … }; for SQL errors also sqlstate, position (1-based, in your SQL), detail, hint"),
  }),
});

const tableEntry = z.object({
  schema: z.string(),
  name: z.string(),
  path: z.string().describe("schema.name, as used in /api/v1/tables/{table}"),
  kind: z.enum(["table", "view"]),
  estimatedRows: z.number().nullable(),
  comment: z.string().nullable(),
  primaryKey: z.array(z.string()),
  columns: z.array(
    z.object({ name: z.string(), type: z.string(), nullable: z.boolean(), ordinal: z.number().int(), comment: z.string().nullable() }),
  ),
});

const errors = (...statuses: number[]) =>
  Object.fromEntries(
    statuses.map((s) => [String(s), { description: "Error", content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } }]),
  );

const jsonOk = (schema: z.ZodType, description = "OK") => ({ description, content: { "application/json": { schema: json(schema) } } });
/**
 * Every CSV answer escapes spreadsheet formulas (OWASP): a cell or header beginning with = + - @
 * tab or CR gets a single quote in front and is quoted; `Accept: text/csv; formulas=raw` opts out.
 */
const csv = {
  "text/csv": {
    schema: {
      type: "string",
      description:
        "RFC 4180. Cells and headers beginning with = + - @, tab or CR (negative numbers excepted) get a leading single quote and are quoted, so spreadsheets show them as text; send `Accept: text/csv; formulas=raw` for the values exactly as stored.",
    },
  },
};

const queryParam = (name: string, description: string) => ({ name, in: "query", required: false, schema: { type: "string" }, description });
const header = (name: string, description: string) => ({ name, in: "header", required: false, schema: { type: "string" }, description });
const pathParam = (name: string, schema: z.ZodObject) => ({ name, in: "path", required: true, schema: json(schema.shape[name] as z.ZodType) });

const ANY_ROWS = { type: "array", items: { type: "object" } };

/** The responses of a table read: an array of rows, or one row in PostgREST's singular media type. */
function rowResponses(row: Record<string, unknown>) {
  const rows = { type: "array", items: row };
  return {
    "200": {
      description: "Rows (the whole result, or no count asked); with Accept: application/vnd.pgrst.object+json, exactly one row as an object",
      content: { "application/json": { schema: rows }, [OBJECT_MEDIA_TYPES[0]]: { schema: row }, ...csv },
    },
    "206": { description: "Part of a counted result; Content-Range: 0-24/1234", content: { "application/json": { schema: rows }, ...csv } },
    ...errors(400, 401, 403, 404, 406, 416, 422, 429, 503),
  };
}

const TABLE_DESCRIPTION =
  "PostgREST read grammar. `select=alias:col::cast,…`; filters `col=op.value` with eq neq gt gte lt lte like ilike match imatch in is isdistinct, cs cd ov sl sr nxr nxl adj (arrays, ranges, jsonb), fts plfts phfts wfts with an optional `(language)`, `(any)`/`(all)` on comparison and pattern operators (`id=eq(any).{1,2}`), `not.` to negate, `or=(…)`/`and=(…)`; JSON paths `col->key->>key` (json, jsonb, arrays: `arr->0`) in select, filters and order; resource embedding over foreign keys `select=id,alias:relation!hint!inner(cols,nested(cols))` (to-one: an object or null; to-many: an array; `!inner` keeps only parents with a match, `!left` is the default; 8 embeds, 3 levels; to-many nests inside to-many), spreads of a to-one `...relation(cols)` (to-many: 400 PGRST119), parameters on an embed by its name or alias (`customers.country=eq.US`, `orders.or=(…)`, `orders.order=total.desc`, `orders.limit=2`, `orders.offset=1`; nested by path: `orders.order_items.order=quantity.desc`, `orders.order_items.limit=1`), `relation=not.is.null`/`is.null` to keep parents with/without the embed (`relation()`: an empty embed, in no output); `order=col.desc.nullslast` and `order=relation(col).desc` for a to-one embed (to-many: PGRST118); `limit`, `offset` or a `Range: 0-24` header. An answer holds at most TABLE_ROW_CAP rows including its embedded rows at every level (more: 400 too_many_rows); a read that embeds is refused with a 422 (too_expensive) when its planned cost is above SQL_MAX_COST. Rows come in primary-key order unless ordered, typed as Postgres' to_json types them. JSON is capped at TABLE_ROW_CAP rows; `Accept: text/csv` streams up to CSV_ROW_CAP. Read-only: POST, PATCH, PUT and DELETE answer 405 with `Allow: GET, HEAD`.";

const tableParameters = [
  queryParam("select", "Columns, e.g. id,total:amount::text"),
  queryParam("order", "e.g. created_at.desc.nullslast,id"),
  queryParam("limit", "Rows to return (capped by the server)"),
  queryParam("offset", "Rows to skip"),
  header("Range", "items=0-24 or 0-24"),
  header(
    "Prefer",
    "count=exact | planned | estimated → total in Content-Range; handling=strict refuses unknown preferences (400, PGRST122), handling=lenient (the default) ignores them; count and handling are confirmed in Preference-Applied",
  ),
  header(
    "Accept",
    `application/json (default), ${OBJECT_MEDIA_TYPES[0]} (one object; 406 unless exactly one row), text/csv (formulas escaped) or \`text/csv; formulas=raw\``,
  ),
  header("Accept-Profile", "The schema (one of DATA_SCHEMAS) a bare table name is read from; the first is the default"),
];

/** A GET and HEAD per readable relation, with its row schema; operation ids stay unique and URL-safe. */
function relationPaths(catalog: Catalog) {
  const paths: Record<string, unknown> = {};
  for (const schema of catalog.schemas) {
    for (const relation of schema.relations) {
      const key = `${schema.name}.${relation.name}`;
      const id = `read_${key}`.replace(/[^A-Za-z0-9_]/g, "_");
      const responses = rowResponses({ $ref: `#/components/schemas/${encodeURIComponent(key)}` });
      paths[`/api/v1/tables/${key}`] = {
        get: {
          operationId: id,
          summary: `Rows of ${key} (scope tables:read)`,
          description: TABLE_DESCRIPTION,
          parameters: tableParameters,
          responses,
        },
        head: {
          operationId: `${id}_head`,
          summary: `Headers of the same read (count, Content-Range), no body`,
          parameters: tableParameters,
          responses,
        },
      };
    }
  }
  return paths;
}

/**
 * The document; with a catalog (for a caller who may read tables) it also has a path and a row
 * schema per relation — without one it names no table, so the public document leaks none.
 */
export function openApiDocument(serverUrl: string, catalog: Catalog | null = null) {
  return {
    openapi: "3.1.0",
    info: {
      title: "Sluice data API",
      version: "1",
      description:
        "Read tables with PostgREST's grammar, run read-only SQL, and run saved queries. Send an API token as `Authorization: Bearer slc_…`.",
    },
    servers: [{ url: serverUrl }],
    security: [{ bearer: [] }],
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer", description: "An API token (slc_…) with the scopes the operation names" } },
      schemas: { Error: json(errorBody), ...(catalog ? rowSchemas(catalog) : {}) },
    },
    paths: {
      "/api/v1/tables": {
        get: {
          operationId: "listTables",
          summary: "Tables and views you may read (scope tables:read)",
          responses: { "200": jsonOk(z.object({ tables: z.array(tableEntry) })), ...errors(401, 403, 429, 503) },
        },
      },
      "/api/v1/tables/{table}": {
        get: {
          operationId: "readTable",
          summary: "Rows of one table or view (scope tables:read)",
          description: TABLE_DESCRIPTION,
          parameters: [
            {
              name: "table",
              in: "path",
              required: true,
              schema: { type: "string" },
              description: "schema.name (e.g. data.orders), or a name in the Accept-Profile schema",
            },
            ...tableParameters,
          ],
          responses: rowResponses(ANY_ROWS.items),
        },
        head: {
          operationId: "readTableHead",
          summary: "Headers of the same read (count, Content-Range), no body (scope tables:read)",
          parameters: [{ name: "table", in: "path", required: true, schema: { type: "string" } }, ...tableParameters],
          responses: rowResponses(ANY_ROWS.items),
        },
      },
      ...(catalog ? relationPaths(catalog) : {}),
      "/api/v1/sql": {
        post: {
          operationId: "runSql",
          summary: "Run one read-only SQL statement (scope sql:run)",
          description:
            "Runs in a read-only transaction that is always rolled back, with a timeout, a cost guard and a row cap. `Accept: text/csv` streams the result.",
          requestBody: { required: true, content: { "application/json": { schema: json(sqlRunBody, "input") } } },
          responses: {
            "200": { ...jsonOk(sqlRunResult), content: { ...jsonOk(sqlRunResult).content, ...csv } },
            ...errors(400, 401, 403, 413, 422, 429, 503),
          },
        },
      },
      "/api/v1/queries": {
        get: {
          operationId: "listSavedQueries",
          summary: "Saved queries you can see: yours and shared ones (scope queries:run)",
          responses: { "200": jsonOk(z.object({ queries: z.array(savedQueryOut) })), ...errors(401, 403) },
        },
      },
      "/api/v1/queries/{id}": {
        get: {
          operationId: "getSavedQuery",
          summary: "One saved query (scope queries:run)",
          parameters: [pathParam("id", savedQueryIdParams)],
          responses: { "200": jsonOk(savedQueryOut), ...errors(401, 403, 404) },
        },
      },
      "/api/v1/queries/{id}/results": {
        get: {
          operationId: "runSavedQuery",
          summary: "Run a saved query; {{name}} values from the query string (scope queries:run)",
          description:
            "Each `{{name}}` parameter is a query-string key; repeat a key (or separate with commas) for a list. A key left out takes the parameter's default; a required one sent empty (`?since=`) is a 400, not its default. Answers `X-Cache: hit|miss`.",
          parameters: [pathParam("id", savedQueryIdParams)],
          responses: {
            "200": {
              ...jsonOk(sqlRunResult.extend({ cached: z.boolean() })),
              content: { ...jsonOk(sqlRunResult.extend({ cached: z.boolean() })).content, ...csv },
            },
            ...errors(400, 401, 403, 404, 422, 503),
          },
        },
        post: {
          operationId: "runSavedQueryWithBody",
          summary: "Run a saved query with { params: {…} } (scope queries:run)",
          parameters: [pathParam("id", savedQueryIdParams)],
          requestBody: { required: true, content: { "application/json": { schema: json(savedQueryRunBody, "input") } } },
          responses: {
            "200": {
              ...jsonOk(sqlRunResult.extend({ cached: z.boolean() })),
              content: { ...jsonOk(sqlRunResult.extend({ cached: z.boolean() })).content, ...csv },
            },
            ...errors(400, 401, 403, 404, 422, 503),
          },
        },
      },
    },
  };
}
