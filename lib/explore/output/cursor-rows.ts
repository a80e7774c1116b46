import "server-only";
import type { Sql } from "postgres";
import { ApiError } from "@/lib/core/errors";

/**
 * Runs one statement through a protocol-level cursor (a portal read in batches with
 * Execute(maxRows)), so neither Node nor Postgres ever holds more than a batch. Values arrive in
 * Postgres' text format (see raw-values.ts). The statement uses the unnamed prepared statement
 * (`prepare: false`), which Postgres refuses for more than one statement, and leaves nothing
 * behind on the connection.
 */
export interface ResultColumn {
  name: string;
  typeOid: number;
}

export type RawRow = Array<Buffer | null>;

export interface CursorOptions {
  /** Rows fetched per round trip. */
  batchSize: number;
  /** Stop after this many rows; `truncated` tells whether more were there. */
  maxRows: number;
  /** Aborting cancels the statement in Postgres (a CancelRequest), not just the wait. */
  signal?: AbortSignal;
  /**
   * How to stop the statement: the pool unit's cancel(), which sends the CancelRequest only
   * while the statement runs and destroys the connection afterwards, so that a late cancel can
   * never hit the next unit's query (see lib/db/pool/role-pool.ts, the return contract).
   */
  cancel: () => void;
  /**
   * A limit on the time spent waiting for Postgres, enforced from here by cancelling, on top of
   * statement_timeout — which a statement can switch off for its own later fetches with
   * set_config('statement_timeout', …). Time spent in onBatch does not count.
   */
  timeoutMs?: number;
  /**
   * Stop after this many bytes of row data (the values' text), like `maxRows`: the rows that
   * fit are returned and `truncated` says more were there. A single row larger than it is
   * dropped too (the result is then empty and truncated).
   */
  maxBytes?: number;
  /**
   * The memory bound, whatever one row holds: the unit's limitRowBytes(), which cuts the
   * connection when one batch of rows would exceed `maxBatchBytes` on the wire — checked as each
   * row's header arrives, before postgres.js buffers its body. Batches are sized from the widest
   * row seen so far, so only a row far wider than the ones before it trips it; the statement
   * then fails with stoppedBy "bytes".
   */
  limitRowBytes?: (maxBytes: number, exceeded: () => void) => { reset(): void };
  maxBatchBytes?: number;
  /**
   * Read the answer in one piece instead of through a cursor: for statements Postgres runs to the
   * end whatever Execute's row limit says (EXPLAIN, SHOW), whose rows postgres.js's cursor drops
   * (it delivered none of them). Their answers are small by nature.
   */
  whole?: boolean;
  /** Receives each batch; the next batch is fetched only when the returned promise settles. */
  onBatch: (rows: RawRow[], columns: ResultColumn[]) => void | Promise<void>;
}

export interface CursorResult {
  columns: ResultColumn[];
  rowCount: number;
  truncated: boolean;
  /** Which cap cut the result short, when `truncated`. */
  truncatedBy: "rows" | "bytes" | null;
  /** Bytes of row data returned (the values' text). */
  bytes: number;
  /** Why the statement was stopped from here, if it was. */
  stoppedBy: StoppedBy | null;
}

export type StoppedBy = "timeout" | "abort" | "bytes";

/** The first batch is one row: nothing is known of the rows' width yet (one more round trip per result). */
const FIRST_BATCH_ROWS = 1;
/** A row on the wire: type, length, column count, and a length before each value. */
const rowWireBytes = (row: RawRow) => row.reduce((sum, value) => sum + 4 + (value?.length ?? 0), 7);
const rowValueBytes = (row: RawRow) => row.reduce((sum, value) => sum + (value?.length ?? 0), 0);

interface ColumnMeta {
  name: string;
  type: number;
}

function columnsOf(result: unknown): ResultColumn[] | null {
  const columns = (result as { columns?: ColumnMeta[] | null } | null)?.columns;
  return Array.isArray(columns) ? columns.map((c) => ({ name: c.name, typeOid: c.type })) : null;
}

/**
 * A bound value: strings (and NULL) go as text, untouched, and the SQL casts them; `untyped`
 * ones (the table API's values for non-builtin column types) go without a type; JSON numbers
 * and booleans from the SQL API go typed — safe integers as int8, other numbers as numeric
 * (exact for what JSON wrote), booleans as bool — so `$1 + 1` or `WHERE flag = $2` need no cast.
 */
export type BoundValue = string | number | boolean | null | { untyped: string };

const INT8_OID = 20;
const NUMERIC_OID = 1700;
const BOOL_OID = 16;
const TEXT_OID = 25;
/** No type in Parse: Postgres infers it from where the placeholder stands. */
const UNSPECIFIED_OID = 0;

export function bindParams(sql: Sql, values: ReadonlyArray<BoundValue>) {
  return values.map((value) => {
    if (value !== null && typeof value === "object") return sql.typed(value.untyped, UNSPECIFIED_OID);
    if (typeof value === "number") return sql.typed(String(value), Number.isSafeInteger(value) ? INT8_OID : NUMERIC_OID);
    // postgres.js serializes oid 16 itself (true → t), so the boolean goes as is.
    if (typeof value === "boolean") return sql.typed(value as never, BOOL_OID);
    return sql.typed(value as string, TEXT_OID);
  });
}

/**
 * One statement over the extended protocol with the unnamed statement. `simple: false` matters:
 * postgres.js sends a parameterless unsafe() over the simple protocol, which runs
 * `select 1; commit; set …` as three statements.
 */
export function extendedQuery(sql: Sql, text: string, params: ReadonlyArray<BoundValue>) {
  const options = { prepare: false, simple: false } as { prepare: boolean };
  return sql.unsafe(text, bindParams(sql, params) as never[], options);
}

export async function runCursor(sql: Sql, text: string, params: ReadonlyArray<BoundValue>, options: CursorOptions): Promise<CursorResult> {
  let columns: ResultColumn[] | null = null;
  let rowCount = 0;
  let truncatedBy: CursorResult["truncatedBy"] = null;
  let bytes = 0;
  let widestRow = 0;
  let stoppedBy: CursorResult["stoppedBy"] = null;
  const maxBytes = options.maxBytes ?? Infinity;
  const maxBatchBytes = options.maxBatchBytes ?? Infinity;

  const query = extendedQuery(sql, text, params).raw();
  const stop = (why: StoppedBy) => {
    if (stoppedBy !== null) return;
    stoppedBy = why;
    // The row limit has cut the connection itself already.
    if (why !== "bytes") options.cancel();
  };
  const rowLimit = maxBatchBytes < Infinity ? options.limitRowBytes?.(maxBatchBytes, () => stop("bytes")) : undefined;
  const onAbort = () => stop("abort");
  options.signal?.addEventListener("abort", onAbort, { once: true });
  // The clock runs while Postgres works, not while a slow client drains a batch: a large CSV
  // download is limited by its query time, not by the reader's bandwidth.
  let remaining = options.timeoutMs ?? Infinity;
  let since = 0;
  let timer: NodeJS.Timeout | null = null;
  let finished = false;
  const arm = () => {
    if (remaining === Infinity || finished) return;
    since = Date.now();
    timer = setTimeout(() => stop("timeout"), Math.max(0, remaining));
  };
  const pause = () => {
    if (!timer) return;
    clearTimeout(timer);
    timer = null;
    remaining -= Date.now() - since;
  };
  arm();
  // postgres.js calls the callback for the last batch from CommandComplete without waiting for
  // it: the batch still being handled is awaited here, and its error is this run's error.
  let inFlight: Promise<void> = Promise.resolve();
  let batchError: { error: unknown } | null = null;
  try {
    if (options.signal?.aborted) stop("abort");
    if (options.whole) {
      const rows = (await query) as unknown[];
      await handleBatch(rows);
      return { columns: columns ?? columnsOf(rows) ?? [], rowCount, truncated: truncatedBy !== null, truncatedBy, bytes, stoppedBy };
    }
    const result = await query.cursor(Math.min(options.batchSize, FIRST_BATCH_ROWS), (batch: unknown[]) => {
      const handled = handleBatch(batch);
      inFlight = handled.then(
        () => {},
        (error: unknown) => void (batchError ??= { error }),
      );
      return handled;
    });
    await inFlight;
    if (batchError) throw (batchError as { error: unknown }).error;
    columns ??= columnsOf(result) ?? [];
    return { columns, rowCount, truncated: truncatedBy !== null, truncatedBy, bytes, stoppedBy };
  } catch (error) {
    if (stoppedBy === "bytes") throw rowsTooLarge(maxBatchBytes, error);
    if (stoppedBy !== null) (error as { sluiceStoppedBy?: string }).sluiceStoppedBy = stoppedBy;
    throw error;
  } finally {
    finished = true;
    pause();
    options.signal?.removeEventListener("abort", onAbort);
  }

  async function handleBatch(batch: unknown[]): Promise<void> {
    columns ??= columnsOf(batch) ?? [];
    let rows = batch as unknown as RawRow[];
    const room = options.maxRows - rowCount;
    if (rows.length > room) {
      rows = rows.slice(0, room);
      truncatedBy = "rows";
    }
    let fit = 0;
    for (const row of rows) {
      widestRow = Math.max(widestRow, rowWireBytes(row));
      const size = rowValueBytes(row);
      if (bytes + size > maxBytes) {
        truncatedBy = "bytes";
        break;
      }
      bytes += size;
      fit++;
    }
    if (fit < rows.length) rows = rows.slice(0, fit);
    rowCount += rows.length;
    rowLimit?.reset();
    // The next batch holds as many rows of the widest width seen as the bounds leave room for.
    const room2 = Math.min(maxBatchBytes, maxBytes - bytes);
    const byWidth = widestRow > 0 ? Math.floor(room2 / widestRow) : options.batchSize;
    (query as unknown as { cursorRows: number }).cursorRows = Math.max(1, Math.min(options.batchSize, byWidth));
    if (rows.length > 0) {
      pause();
      try {
        await options.onBatch(rows, columns);
      } finally {
        arm();
      }
    }
    // Returning sql.CLOSE closes the portal: Postgres stops producing rows.
    return (truncatedBy !== null ? sql.CLOSE : undefined) as void;
  }
}

/** A row (or a run of rows far wider than the ones before) that alone would not fit the memory bound. */
function rowsTooLarge(maxBatchBytes: number, cause: unknown): ApiError {
  const error = new ApiError(
    "unprocessable",
    `A row of this result is larger than the limit of ${maxBatchBytes.toLocaleString("en")} bytes (SQL_MAX_BYTES): select fewer or shorter columns (e.g. left(col, 1000))`,
    { reason: "too_large", maxBytes: maxBatchBytes },
  );
  return Object.assign(error, { cause, sluiceStoppedBy: "bytes" });
}

/** Set on errors of statements this module cancelled, so callers can say why. */
export function stoppedByOf(error: unknown): StoppedBy | null {
  const value = (error as { sluiceStoppedBy?: unknown } | null)?.sluiceStoppedBy;
  return value === "timeout" || value === "abort" || value === "bytes" ? value : null;
}
