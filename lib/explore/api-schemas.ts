import "server-only";
import { z } from "zod";
import { chartSchema, parameterSchema } from "@/lib/explore/saved-queries";

/* The data API's request and response shapes: validated by the routes, described by openapi.ts. */

export const sqlParamValue = z.union([z.string().max(100_000), z.number(), z.boolean(), z.null()]);

export const sqlRunBody = z
  .object({
    sql: z.string().min(1).max(100_000).describe("Exactly one read-only statement (SELECT, WITH, VALUES, TABLE, EXPLAIN, SHOW)"),
    params: z
      .array(sqlParamValue)
      .max(1000)
      .optional()
      .describe("Values of $1…$n: strings bound as text (cast in SQL, e.g. $1::date), numbers as int8 (safe integers) or numeric, booleans as bool"),
    maxRows: z
      .number()
      .int()
      .min(1)
      .max(10_000_000)
      .optional()
      .describe("Row cap; clamped to the server's (SQL_MAX_ROWS for JSON, CSV_ROW_CAP for CSV)"),
  })
  .strict();

/** One value of a result row, typed as Postgres' to_json types it. */
const resultValue = z
  .union([z.number(), z.string(), z.boolean(), z.null(), z.array(z.unknown()), z.record(z.string(), z.unknown())])
  .describe(
    "As to_json types it: numbers for integer, float and numeric types (int8/numeric as a string only where a JSON number would lose digits; NaN and ±Infinity as strings), booleans, timestamps as ISO 8601 strings, arrays as JSON arrays, json/jsonb nested, anything else as Postgres' text",
  );

export const sqlRunResult = z.object({
  columns: z
    .array(z.object({ name: z.string(), type: z.string().describe("format_type() of the column, e.g. bigint, timestamp with time zone") }))
    .describe("The result's columns, in order; rows[i][j] is the value of columns[j]"),
  rows: z.array(z.array(resultValue)).describe("Rows as arrays, positionally matching columns"),
  rowCount: z.number().int(),
  truncated: z.boolean().describe("More rows were there than the answer holds"),
  truncatedBy: z
    .enum(["rows", "bytes"])
    .nullable()
    .describe("Which cap cut the answer short: the row cap (SQL_MAX_ROWS, maxRows) or the byte cap (SQL_MAX_BYTES); null when complete"),
  elapsedMs: z.number(),
});

export const savedQueryIdParams = z.object({ id: z.string().min(1).max(100) });

export const savedQueryOut = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  sql: z.string(),
  parameters: z.array(parameterSchema),
  shared: z.boolean(),
  cacheMaxAgeS: z.number().int(),
  chart: chartSchema.nullable(),
  ownerId: z.string(),
  ownerEmail: z.string().nullable(),
  canEdit: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const savedQueryRunBody = z
  .object({
    params: z.record(z.string(), z.union([z.string(), z.number(), z.array(z.union([z.string(), z.number()]))])).default({}),
    maxRows: z.number().int().min(1).max(10_000_000).optional(),
  })
  .strict();
