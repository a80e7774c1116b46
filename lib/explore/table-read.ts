import "server-only";
import type { Sql } from "postgres";
import { withRole } from "@/lib/db/clients";
import type { Unit } from "@/lib/db/pool";
import { env } from "@/lib/env";
import { getCatalog } from "@/lib/explore/catalog-cache";
import type { Catalog, RelationRef } from "@/lib/explore/catalog";
import { assertSatisfiable, contentRange, expectedRows, pageStatus } from "@/lib/explore/output";
import { CSV_BATCH_ROWS, streamResponse, type StreamWriter } from "@/lib/explore/output";
import { extendedQuery, runCursor } from "@/lib/explore/output";
import type { ReadRequest } from "@/lib/explore/grammar";
import { parseReadRequest } from "@/lib/explore/grammar";
import { mapQueryError } from "@/lib/explore/pg-errors";
import { csvBatchBytes, csvLine, OBJECT_MEDIA_TYPES, type CsvFormulas } from "@/lib/explore/output";
import { ExploreError } from "@/lib/explore/errors";
import { assertPlanCost } from "@/lib/explore/sandbox";
import {
  buildEstimateQuery,
  buildExactCountQuery,
  buildJsonRowsQuery,
  buildPlannedCountQuery,
  buildReadQuery,
  readPlannedCount,
  shouldCountExactly,
  type ReadQuery,
  type SqlQuery,
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

/** The cursor's byte bounds: SQL_MAX_BYTES per batch in memory, and `total` over the result. */
function memoryBound(limitRowBytes: Unit["limitRowBytes"], total: number) {
  return { maxBytes: total, maxBatchBytes: env().SQL_MAX_BYTES, limitRowBytes };
}

/** Rows per cursor fetch for JSON pages (capped by TABLE_ROW_CAP anyway): one batch of row texts in memory. */
const BATCH = 1000;

interface Prepared {
  catalog: Catalog;
  request: ReadRequest;
  query: ReadQuery;
  rowCap: number;
}

async function prepare(input: TableReadInput, rowCap: number): Promise<Prepared> {
  const request = parseReadRequest({ params: input.params, range: input.range, prefer: input.prefer });
  const catalog = await getCatalog(input.signal);
  return { catalog, request, query: buildReadQuery(catalog, input.ref, request, { rowCap }), rowCap };
}

async function single<T>(sql: Sql, text: string, params: SqlQuery["params"]): Promise<T[]> {
  return (await extendedQuery(sql, text, params)) as unknown as T[];
}

/** The total for `Prefer: count=…`, with PostgREST's meaning of each mode; null without one. */
async function countRows(sql: Sql, ref: RelationRef, { catalog, request, query, rowCap }: Prepared): Promise<number | null> {
  const exact = async () => {
    const q = buildExactCountQuery(catalog, ref, request, { rowCap });
    const [row] = await single<{ count: string }>(sql, q.text, q.params);
    return Number(row?.count ?? 0);
  };
  const planned = async () => {
    const q = buildPlannedCountQuery(catalog, ref, request, { rowCap });
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

/** PostgREST's answer to a singular request whose row count is not 1 (its code in `details`). */
function notOneRow(rows: number): ExploreError {
  return new ExploreError("not_one_row", "JSON object requested, multiple (or no) rows returned", {
    pgrstCode: "PGRST116",
    rows,
    hint: `The result contains ${rows} rows`,
  });
}

/**
 * A page whose embedded arrays, at every level, would take the answer past the row cap: refused
 * rather than cut. Each embedded array holds at most the row cap, so a truncated one — nested or
 * not — holds the cap and sits in at least one row of the page: always caught here.
 */
function pastRowCap(rows: number, embedded: number, rowCap: number): ExploreError {
  return new ExploreError(
    "too_many_rows",
    `This page would hold ${rows + embedded} rows with its embedded resources, above the row cap of ${rowCap}: ask for fewer rows (limit=) or limit the embedded ones (<embed>.limit=)`,
    { rows, embeddedRows: embedded, rowCap },
  );
}

/** Embedded reads are planned first: a wide embedding is refused before any row is read. */
async function guardCost(sql: Sql, query: ReadQuery): Promise<void> {
  if (query.embeds) await assertPlanCost(sql, query.text, query.params, env().SQL_MAX_COST);
}

interface ReadUnit {
  prepared: Prepared;
  /** The `Prefer: count` total, or null without one. */
  total: number | null;
  unit: Unit;
  out: StreamWriter;
}

/**
 * The frame both answers share: the request prepared (grammar, catalog, query), then on one
 * readonly connection the cost guard for embeds, the count and the range check, then `answer`,
 * which streams the rows; Postgres errors are mapped to the explorer's.
 */
async function streamRead(input: TableReadInput, rowCap: number, answer: (read: ReadUnit) => Promise<void>): Promise<Response> {
  const prepared = await prepare(input, rowCap);
  return streamResponse(input.signal, (out) =>
    withRole(
      "readonly",
      async (unit) => {
        await guardCost(unit.sql, prepared.query);
        const total = await countRows(unit.sql, input.ref, prepared);
        assertSatisfiable(prepared.query.offset, total);
        await answer({ prepared, total, unit, out });
      },
      { signal: out.signal },
    ).catch((error: unknown) => {
      throw mapQueryError(error);
    }),
  );
}

function baseHeaders(request: ReadRequest, contentType: string): Record<string, string> {
  const headers: Record<string, string> = { "Content-Type": contentType, "Cache-Control": "no-store" };
  // PostgREST confirms the preferences it applied on a read: count, then handling.
  const applied = [request.count === null ? null : `count=${request.count}`, request.handling ? `handling=${request.handling}` : null];
  if (applied.some(Boolean)) headers["Preference-Applied"] = applied.filter(Boolean).join(", ");
  return headers;
}

/**
 * `Accept: application/json` (a JSON array) or PostgREST's singular object: the rows arrive as
 * `to_json` text built in Postgres (sql/json-rows.ts) and are streamed as they come, a cursor
 * batch at a time, so a page is never held whole in Node. The page's row count comes with the
 * first row, so status, Content-Range and the singular check are decided before any byte goes out.
 * `headOnly` (HEAD) answers the same status and headers from the first row alone, with no body.
 */
/** Rows held before the status goes out (see streamTableJson): most pages fit and answer whole. */
const COMMIT_BYTES = 256 * 1024;

export async function streamTableJson(input: TableReadInput, media: "json" | "object", { headOnly = false } = {}): Promise<Response> {
  return streamRead(input, env().TABLE_ROW_CAP, async ({ prepared, total, unit: { sql, cancel, limitRowBytes }, out }) => {
    const { query, request } = prepared;
    const rowsQuery = buildJsonRowsQuery(query);
    let begun = false;
    let refusal: ExploreError | null = null;
    let embeddedRows = 0;
    /** Status and headers for a page of `rows`, or null (and the refusal set) for a page past the row cap or a singular read that is not one row. */
    const answerFor = (rows: number) => {
      begun = true;
      if (rows + embeddedRows > prepared.rowCap) return void (refusal = pastRowCap(rows, embeddedRows, prepared.rowCap));
      if (media === "object" && rows !== 1) return void (refusal = notOneRow(rows));
      const headers = baseHeaders(request, media === "object" ? `${OBJECT_MEDIA_TYPES[0]}; charset=utf-8` : "application/json; charset=utf-8");
      headers["Content-Range"] = contentRange(query.offset, rows, total);
      return { status: media === "object" ? 200 : pageStatus(rows, total), headers };
    };
    const begin = async (rows: number) => {
      const init = answerFor(rows);
      if (!init) return;
      out.start(init);
      if (media === "json" && !headOnly) await out.write("[");
    };
    // The status is committed late: rows are held until COMMIT_BYTES or the end, so a small
    // answer whose connection fails before Postgres completes it still gets a 503 in the
    // shape, not a body cut off after a 200 (a dropped response to the client).
    let rowsSeen: number | null = null;
    let held = "";
    const commit = async () => {
      if (begun) return;
      await begin(rowsSeen ?? 0);
      if (!refusal && !headOnly && held) await out.write(held);
      held = "";
    };
    let first = true;
    await runCursor(sql, rowsQuery.text, rowsQuery.params, {
      batchSize: BATCH,
      // A singular read needs one row: the count beside it says whether there were others,
      // and stopping there closes the portal cleanly (the connection stays reusable).
      // HEAD needs only that count too: nobody reads a body, so none is produced.
      maxRows: media === "object" || headOnly ? 1 : query.limit,
      // Streamed, so no cap on the total: only on what one batch holds in memory.
      ...memoryBound(limitRowBytes, Infinity),
      signal: out.signal,
      cancel,
      onBatch: async (batch) => {
        if (rowsSeen === null) {
          // The first row carries the page's counts: a page past the row cap is refused at once.
          rowsSeen = Number(batch[0]?.[1]?.toString("latin1") ?? 0);
          embeddedRows = Number(batch[0]?.[2]?.toString("latin1") ?? 0);
          if (rowsSeen + embeddedRows > prepared.rowCap) await commit();
        }
        if (refusal || headOnly) return;
        let text = "";
        for (const row of batch) {
          text += (first ? "" : ",") + (row[0]?.toString("utf8") ?? "null");
          first = false;
        }
        if (begun) await out.write(text);
        else {
          held += text;
          if (held.length >= COMMIT_BYTES) await commit();
        }
      },
    });
    if (!begun && !headOnly) {
      // The whole page was held (the common case): one body with its length, no stream to pipe.
      const init = answerFor(rowsSeen ?? 0);
      if (init) out.whole(init, media === "json" ? `[${held}]` : held);
    } else {
      await commit();
      if (media === "json" && !headOnly && !refusal) await out.write("]");
    }
    if (refusal) throw refusal;
  });
}

/** `Accept: text/csv`: the same request streamed, up to CSV_ROW_CAP rows, header line first. */
export async function streamTableCsv(input: TableReadInput, filename: string): Promise<Response> {
  return streamRead(input, env().CSV_ROW_CAP, async ({ prepared, total, unit: { sql, cancel, limitRowBytes }, out }) => {
    const { query } = prepared;
    const headers = baseHeaders(prepared.request, "text/csv; charset=utf-8");
    headers["Content-Disposition"] = `attachment; filename="${filename}.csv"`;
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
        await out.write(csvBatchBytes(batch, input.csvFormulas));
      },
    });
    if (!begun) await begin();
  });
}
