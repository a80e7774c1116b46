import "server-only";
import type { Caller } from "@/lib/core/caller";
import { env } from "@/lib/env";
import { recordRun, type RunAudit } from "@/lib/explore/sandbox/audit-run";
import { CSV_BATCH_ROWS, streamResponse } from "@/lib/explore/output";
import type { BoundValue, RawRow, ResultColumn } from "@/lib/explore/output";
import { csvBatchBytes, csvLine, jsonValue, type CsvFormulas, type JsonValue } from "@/lib/explore/output";
import { outcomeOf, runSandbox, type SandboxColumn, type SandboxRequest, type SandboxResult } from "@/lib/explore/sandbox/sandbox";
import { neverStarted } from "@/lib/db/pool";
import { runTagOf } from "@/lib/fleet/run-tags";

/**
 * One audited sandbox run, answered as JSON or streamed as CSV: shared by POST /api/v1/sql and
 * saved-query results. Every run is audited — refused and failed ones too — and a run whose
 * audit row cannot be written fails with 503 (for CSV: the download breaks off).
 */
export interface SqlRun {
  caller: Caller;
  sql: string;
  params: ReadonlyArray<BoundValue>;
  /** Requested row cap; clamped to SQL_MAX_ROWS (JSON) or CSV_ROW_CAP (CSV). */
  maxRows?: number;
  signal: AbortSignal;
  /** CSV only: formula escaping (the default) or raw values. */
  csvFormulas?: CsvFormulas;
  audit: Pick<RunAudit, "action" | "target" | "ip"> & { params?: unknown; extra?: Record<string, unknown> };
}

export interface SqlJsonResult {
  columns: Array<{ name: string; type: string }>;
  rows: JsonValue[][];
  rowCount: number;
  truncated: boolean;
  /** Which cap cut the result short, when truncated: "rows" (SQL_MAX_ROWS) or "bytes" (SQL_MAX_BYTES). */
  truncatedBy: "rows" | "bytes" | null;
  elapsedMs: number;
}

function audit(run: SqlRun, started: number, rows: number, outcome: RunAudit["outcome"], extra: Record<string, unknown>) {
  return recordRun({
    action: run.audit.action,
    caller: run.caller,
    sql: run.sql,
    params: run.audit.params ?? run.params,
    target: run.audit.target,
    ip: run.audit.ip,
    durationMs: performance.now() - started,
    rows,
    outcome,
    extra: { ...run.audit.extra, ...extra },
  });
}

function failureExtra(error: unknown): Record<string, unknown> {
  const e = error as { code?: unknown; details?: { reason?: unknown; sqlstate?: unknown } } | null;
  return { error: { code: e?.code ?? "internal", reason: e?.details?.reason ?? null, sqlstate: e?.details?.sqlstate ?? null } };
}

const clamp = (requested: number | undefined, cap: number) => Math.max(1, Math.min(requested ?? cap, cap));

/** The sandbox run with its audit row: refused and failed runs too, the shed ones excepted. */
async function runAudited(run: SqlRun, format: "json" | "csv", request: Omit<SandboxRequest, "sql" | "params">): Promise<SandboxResult> {
  const started = performance.now();
  let result;
  try {
    result = await runSandbox({ sql: run.sql, params: run.params, tag: runTagOf(run.caller, run.audit.action, run.audit.target), ...request });
  } catch (error) {
    // A run the pool turned away never started: it is answered 503 (or nobody is listening)
    // and counted in the pool stats, not audited. Writing an audit row for every shed request
    // would put the overload onto the app pool and make shedding slow.
    if (!neverStarted(error)) await audit(run, started, 0, outcomeOf(error), { format, ...failureExtra(error) });
    throw error;
  }
  await audit(run, started, result.rowCount, "ok", { format, truncated: result.truncated, truncatedBy: result.truncatedBy });
  return result;
}

export async function runSqlJson(run: SqlRun): Promise<SqlJsonResult> {
  const rows: JsonValue[][] = [];
  const result = await runAudited(run, "json", {
    maxRows: clamp(run.maxRows, env().SQL_MAX_ROWS),
    signal: run.signal,
    onBatch: (batch: RawRow[], columns: ResultColumn[]) => {
      for (const row of batch) rows.push(row.map((value, i) => jsonValue(value, columns[i]?.typeOid ?? 25)));
    },
  });
  return {
    columns: result.columns.map((c: SandboxColumn) => ({ name: c.name, type: c.type })),
    rows,
    rowCount: result.rowCount,
    truncated: result.truncated,
    truncatedBy: result.truncatedBy,
    elapsedMs: result.elapsedMs,
  };
}

export function runSqlCsv(run: SqlRun, filename: string, extraHeaders: Record<string, string> = {}): Promise<Response> {
  return streamResponse(run.signal, async (out) => {
    const headers = {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${filename}.csv"`,
      "Cache-Control": "no-store",
      ...extraHeaders,
    };
    let begun = false;
    const begin = async (names: string[]) => {
      if (begun) return;
      begun = true;
      out.start({ headers });
      await out.write(csvLine(names, run.csvFormulas));
    };
    const result = await runAudited(run, "csv", {
      maxRows: clamp(run.maxRows, env().CSV_ROW_CAP),
      signal: out.signal,
      batchSize: CSV_BATCH_ROWS,
      onBatch: async (batch, columns) => {
        await begin(columns.map((c) => c.name));
        await out.write(csvBatchBytes(batch, run.csvFormulas));
      },
    });
    await begin(result.columns.map((c) => c.name));
  });
}
