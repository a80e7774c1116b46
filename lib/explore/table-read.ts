import "server-only";
import type { Sql } from "postgres";
import { withRole } from "@/lib/db/clients";
import type { Unit } from "@/lib/db/pool";
import { env } from "@/lib/env";
import { getCatalog } from "@/lib/explore/catalog-cache";
import type { Catalog, RelationRef } from "@/lib/explore/catalog";
import { assertSatisfiable, contentRange, expectedRows, pageStatus } from "@/lib/explore/output";
import { CSV_BATCH_ROWS, streamResponse } from "@/lib/explore/output";
import { extendedQuery, runCursor, type RawRow } from "@/lib/explore/output";
import type { ReadRequest } from "@/lib/explore/grammar";
import { parseReadRequest } from "@/lib/explore/grammar";
import { mapQueryError } from "@/lib/explore/pg-errors";
import { csvLine, jsonValue, type CsvFormulas, type JsonValue } from "@/lib/explore/output";
import {
  buildEstimateQuery,
  buildExactCountQuery,
  buildPlannedCountQuery,
  buildReadQuery,
  readPlannedCount,
  shouldCountExactly,
  type OutputColumn,
  type ReadQuery,
} from "@/lib/explore/sql";

/**
 * GET /api/v1/tables/{schema.table}: the parsed grammar, the catalog-checked query, the count
 * the client asked for, and the rows — on one readonly connection, read through a cursor.
 */
export interface TableReadInput {
  ref: RelationRef;
  params: URLSearchParams;
  range: string | null;
  prefer: string | null;
  signal: AbortSignal;
  /** CSV only: formula escaping (the default) or raw values. */
  csvFormulas?: CsvFormulas;
}

export interface TablePage {
  rows: Array<Record<string, JsonValue>>;
  columns: OutputColumn[];
  status: 200 | 206;
  contentRange: string;
  total: number | null;
}

/** The cursor's byte bounds: SQL_MAX_BYTES per batch in memory, and `total` over the result. */
function memoryBound(limitRowBytes: Unit["limitRowBytes"], total: number) {
  return { maxBytes: total, maxBatchBytes: env().SQL_MAX_BYTES, limitRowBytes };
}

/** Rows per cursor fetch for JSON pages (capped by TABLE_ROW_CAP anyway). */
const BATCH = 1000;

interface Prepared {
  catalog: Catalog;
  request: ReadRequest;
  query: ReadQuery;
}

async function prepare(input: TableReadInput, rowCap: number): Promise<Prepared> {
  const request = parseReadRequest({ params: input.params, range: input.range, prefer: input.prefer });
  const catalog = await getCatalog(input.signal);
  return { catalog, request, query: buildReadQuery(catalog, input.ref, request, { rowCap }) };
}

async function single<T>(sql: Sql, text: string, params: string[]): Promise<T[]> {
  return (await extendedQuery(sql, text, params)) as unknown as T[];
}

/** The total for `Prefer: count=…`, with PostgREST's meaning of each mode; null without one. */
async function countRows(sql: Sql, ref: RelationRef, { catalog, request, query }: Prepared): Promise<number | null> {
  const exact = async () => {
    const q = buildExactCountQuery(catalog, ref, request);
    const [row] = await single<{ count: string }>(sql, q.text, q.params);
    return Number(row?.count ?? 0);
  };
  const planned = async () => {
    const q = buildPlannedCountQuery(catalog, ref, request);
    return readPlannedCount(await single(sql, q.text, q.params));
  };
  switch (request.count) {
    case null:
      return null;
    case "exact":
      return exact();
    case "planned":
      return planned();
    case "estimated": {
      let estimate: number | null;
      if (request.where.length === 0) {
        const q = buildEstimateQuery(catalog, ref);
        const [row] = await single<{ estimate: string | null }>(sql, q.text, q.params);
        estimate = row?.estimate == null ? null : Number(row.estimate);
      } else {
        estimate = await planned();
      }
      return shouldCountExactly(estimate, query.limit) ? exact() : estimate;
    }
  }
}

function toObject(columns: readonly OutputColumn[], typeOids: readonly number[], row: RawRow): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {};
  columns.forEach((column, i) => (out[column.name] = jsonValue(row[i] ?? null, typeOids[i] ?? 25)));
  return out;
}

export async function readTablePage(input: TableReadInput): Promise<TablePage> {
  const prepared = await prepare(input, env().TABLE_ROW_CAP);
  const { query } = prepared;
  return withRole(
    "readonly",
    async ({ sql, cancel, limitRowBytes }) => {
      const total = await countRows(sql, input.ref, prepared);
      assertSatisfiable(query.offset, total);
      const rows: Array<Record<string, JsonValue>> = [];
      await runCursor(sql, query.text, query.params, {
        batchSize: BATCH,
        maxRows: query.limit,
        // A page of very wide rows ends early (Content-Range says where); memory stays bounded.
        ...memoryBound(limitRowBytes, env().SQL_MAX_BYTES),
        signal: input.signal,
        cancel,
        onBatch: (batch, columns) => {
          const oids = columns.map((c) => c.typeOid);
          for (const row of batch) rows.push(toObject(query.columns, oids, row));
        },
      });
      return {
        rows,
        columns: query.columns,
        total,
        status: pageStatus(rows.length, total),
        contentRange: contentRange(query.offset, rows.length, total),
      };
    },
    { signal: input.signal },
  ).catch((error: unknown) => {
    throw mapQueryError(error);
  });
}

/** `Accept: text/csv`: the same request streamed, up to CSV_ROW_CAP rows, header line first. */
export async function streamTableCsv(input: TableReadInput, filename: string): Promise<Response> {
  const prepared = await prepare(input, env().CSV_ROW_CAP);
  const { query } = prepared;
  return streamResponse(input.signal, (out) =>
    withRole(
      "readonly",
      async ({ sql, cancel, limitRowBytes }) => {
        const total = await countRows(sql, input.ref, prepared);
        assertSatisfiable(query.offset, total);
        const headers: Record<string, string> = {
          "Content-Type": "text/csv; charset=utf-8",
          "Content-Disposition": `attachment; filename="${filename}.csv"`,
          "Cache-Control": "no-store",
        };
        let status: 200 | 206 = 200;
        if (total !== null) {
          const rows = expectedRows(query.offset, query.limit, total);
          headers["Content-Range"] = contentRange(query.offset, rows, total);
          status = pageStatus(rows, total);
        }
        // Headers go out with the first rows, so an error the query hits first is still a
        // proper error response rather than a truncated download.
        const begin = async () => {
          out.start({ status, headers });
          await out.write(
            csvLine(
              query.columns.map((c) => c.name),
              input.csvFormulas,
            ),
          );
        };
        let begun = false;
        await runCursor(sql, query.text, query.params, {
          batchSize: CSV_BATCH_ROWS,
          maxRows: query.limit,
          // Streamed, so no cap on the total: only on what one batch holds in memory.
          ...memoryBound(limitRowBytes, Infinity),
          signal: out.signal,
          cancel,
          onBatch: async (batch) => {
            if (!begun) {
              begun = true;
              await begin();
            }
            await out.write(batch.map((row) => csvLine(row, input.csvFormulas)).join(""));
          },
        });
        if (!begun) await begin();
      },
      { signal: out.signal },
    ).catch((error: unknown) => {
      throw mapQueryError(error);
    }),
  );
}
