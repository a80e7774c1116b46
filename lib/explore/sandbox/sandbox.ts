import "server-only";
import type { Sql } from "postgres";
import { ApiError } from "@/lib/core/errors";
import { isConnectionLevelError } from "@/lib/db/pool";
import { env } from "@/lib/env";
import { runCursor, stoppedByOf, bindParams, type BoundValue, type RawRow, type ResultColumn } from "@/lib/explore/output";
import { mapQueryError } from "@/lib/explore/pg-errors";
import { assertPlanCost } from "@/lib/explore/sandbox/plan-cost";
import { PLANNABLE_KEYWORDS, checkStatement, notReadStatement } from "@/lib/explore/sql";
import { describeInTransaction } from "@/lib/explore/sandbox/describe";
import { inReadOnlyTransaction } from "@/lib/explore/sandbox/read-only-transaction";
import { readRunTag, tagRun, type BackendTransaction, type RunTag } from "@/lib/fleet/run-tags";

/*
 * The SQL console and POST /api/v1/sql run user SQL here, in layers: the readonly role (the
 * database refuses writes and app.*), a read-only transaction that is always rolled back, one
 * query statement only (keyword check + the extended protocol, which refuses several), an
 * EXPLAIN cost guard, statement_timeout plus a wall-clock cancel from here (and a cut of the
 * connection when the backend does not stop), a row cap and a byte cap read through a cursor, and a cancel in Postgres when the caller goes away. Afterwards the
 * connection is scrubbed of what a rollback keeps (session advisory locks).
 */

export interface SandboxColumn {
  name: string;
  /** format_type() of the column's type, e.g. "integer", "timestamp with time zone". */
  type: string;
  typeOid: number;
}

export interface SandboxRequest {
  sql: string;
  /** `$1…$n`: strings bound as text (cast in SQL: `$1::int`), numbers and booleans typed (output/cursor-rows.ts). */
  params?: ReadonlyArray<BoundValue>;
  maxRows: number;
  signal?: AbortSignal;
  /** Rows fetched per round trip (default 500). */
  batchSize?: number;
  /**
   * Each batch with the statement's columns (name and type OID; the type names follow in the
   * result, as no other query can run on the connection while the cursor is open).
   */
  onBatch: (rows: RawRow[], columns: ResultColumn[]) => void | Promise<void>;
  /** Who runs it, for the admins' running-queries view (lib/fleet/run-tags.ts). */
  tag?: RunTag;
}

export interface SandboxResult {
  columns: SandboxColumn[];
  rowCount: number;
  truncated: boolean;
  /** Which cap cut the result short: SQL_MAX_ROWS / CSV_ROW_CAP ("rows") or SQL_MAX_BYTES ("bytes"). */
  truncatedBy: "rows" | "bytes" | null;
  elapsedMs: number;
}

export type RunOutcome = "ok" | "error" | "cancelled" | "timeout";

/** The audit outcome of a failed run. */
export function outcomeOf(error: unknown): RunOutcome {
  const reason = (error as { details?: { reason?: unknown } } | null)?.details?.reason;
  if (reason === "timeout") return "timeout";
  if (reason === "cancelled") return "cancelled";
  return "error";
}

async function typeNames(sql: Sql, columns: ResultColumn[]): Promise<SandboxColumn[]> {
  const oids = [...new Set(columns.map((c) => c.typeOid))];
  const rows = oids.length
    ? await sql.unsafe<Array<{ oid: number; name: string }>>(
        "SELECT oid::int4 AS oid, pg_catalog.format_type(oid, NULL) AS name FROM pg_catalog.pg_type WHERE oid = ANY (string_to_array($1::text, ',')::oid[])",
        bindParams(sql, [oids.join(",")]) as never[],
        { prepare: false },
      )
    : [];
  const byOid = new Map(rows.map((r) => [r.oid, r.name]));
  return columns.map((c) => ({ name: c.name, typeOid: c.typeOid, type: byOid.get(c.typeOid) ?? String(c.typeOid) }));
}

/**
 * A cancel or terminate an administrator sent from the running-queries view
 * (lib/fleet/running-queries.ts), said as such. pg_cancel_backend is not PUBLIC's (db/setup.ts),
 * so a cancel that is neither ours nor statement_timeout came from an administrator. A terminate
 * reads like a server shutdown (57P01, then the connection closes): only the mark the admin left
 * on this run's tag tells them apart — without it the pool takes the lost connection for an outage.
 */
async function adminSignal(error: unknown, backend: BackendTransaction | undefined): Promise<ApiError | null> {
  const pgError = error as { name?: unknown; code?: unknown; message?: unknown } | null;
  if (pgError?.name === "PostgresError" && pgError.code === "57014" && !/statement timeout/i.test(String(pgError.message))) {
    // With the server's error as its cause: the pool reads it as the statement's end, not a fault.
    return Object.assign(
      new ApiError("unprocessable", "An administrator cancelled this query", { reason: "cancelled", by: "administrator", sqlstate: "57014" }),
      {
        cause: error,
      },
    );
  }
  if (!backend || !isConnectionLevelError(error)) return null;
  const tag = await readRunTag(backend).catch(() => null);
  if (tag?.signalled !== "terminate") return null;
  return new ApiError("unprocessable", "An administrator ended this query and its database session", {
    reason: "cancelled",
    by: "administrator",
    terminated: true,
    sqlstate: "57P01",
  });
}

export async function runSandbox(request: SandboxRequest): Promise<SandboxResult> {
  const statement = checkStatement(request.sql);
  if (request.sql.includes("\u0000")) throw new ApiError("bad_request", "The SQL contains a NUL character", { reason: "bad_value" });
  const config = env();
  const params = request.params ?? [];
  const started = performance.now();
  const timeoutMessage = `The query ran longer than ${config.SQL_TIMEOUT_MS} ms and was cancelled`;
  const plannable = PLANNABLE_KEYWORDS.has(statement.keyword);
  return inReadOnlyTransaction(request.signal, async ({ sql, unit, backend, serverAnswered }) => {
    if (statement.unknown) {
      // A word no statement begins with: Postgres' parser says what is wrong, and where.
      await describeInTransaction(sql, request.sql, 0, serverAnswered);
      throw notReadStatement(statement.keyword);
    }
    const untag = request.tag && backend ? tagRun(backend, request.tag) : undefined;
    try {
      if (plannable) await assertPlanCost(sql, request.sql, params, config.SQL_MAX_COST, serverAnswered);
      const result = await runCursor(sql, request.sql, params, {
        batchSize: request.batchSize ?? 500,
        maxRows: request.maxRows,
        whole: !plannable,
        signal: request.signal,
        cancel: unit.cancel,
        timeoutMs: config.SQL_TIMEOUT_MS + 250,
        // The result's bytes are capped like its rows, and no batch may hold more in memory.
        maxBytes: config.SQL_MAX_BYTES,
        maxBatchBytes: config.SQL_MAX_BYTES,
        limitRowBytes: unit.limitRowBytes,
        onBatch: request.onBatch,
      }).catch(async (error: unknown) => {
        serverAnswered(error);
        const stopped = stoppedByOf(error);
        if (stopped === "timeout") throw new ApiError("unprocessable", timeoutMessage, { reason: "timeout", sqlstate: "57014" });
        if (stopped === "abort") throw new ApiError("bad_request", "The query was cancelled", { reason: "cancelled", sqlstate: "57014" });
        const signalled = await adminSignal(error, backend);
        if (signalled) {
          // A terminated session is gone: nothing to scrub, the pool destroys the connection.
          if (signalled.details && (signalled.details as { terminated?: boolean }).terminated) {
            serverAnswered(new Error("the session was terminated"));
          }
          throw signalled;
        }
        throw mapQueryError(error, { timeoutMessage });
      });
      const named = await typeNames(sql, result.columns);
      return {
        columns: named,
        rowCount: result.rowCount,
        truncated: result.truncated,
        truncatedBy: result.truncatedBy,
        elapsedMs: Math.round(performance.now() - started),
      };
    } finally {
      untag?.();
    }
  });
}
