"use client";

import { useMemo, type ReactNode } from "react";
import { DataGrid, type GridColumn } from "@/components/grid/data-grid";
import { Badge } from "@/components/ui/badge";
import type { SqlResult } from "@/components/sql/result-types";

type Row = unknown[];
const number = new Intl.NumberFormat("en-US");
const valueOf = (row: Row, column: GridColumn) => row[Number(column.id)];

/** Rows of an ad-hoc or saved query: columns by position, since SQL allows two columns of one name. */
export function ResultGrid({ result, maxRows, actions }: { result: SqlResult; maxRows?: number; actions?: ReactNode }) {
  const columns = useMemo<GridColumn[]>(
    () => result.columns.map((column, index) => ({ id: String(index), name: column.name, type: column.type })),
    [result.columns],
  );

  const summary = (
    <>
      <span data-testid="result-count" className="font-medium text-slate-700">
        {number.format(result.rowCount)} {result.rowCount === 1 ? "row" : "rows"}
      </span>
      <span className="text-slate-400" data-testid="result-elapsed">
        {result.elapsedMs} ms
      </span>
      {result.cached ? <Badge tone="brand">from cache</Badge> : null}
      {result.truncated ? (
        <span data-testid="result-truncated">
          <Badge tone="warning">truncated</Badge>{" "}
          <span className="text-xs text-amber-800">
            {result.truncatedBy === "bytes"
              ? `Only the first ${number.format(result.rows.length)} rows fit in the size limit; select fewer or shorter columns, or add a LIMIT.`
              : `Only the first ${number.format(maxRows ?? result.rows.length)} rows are shown; add a LIMIT or narrow the WHERE clause.`}
          </span>
        </span>
      ) : null}
      {actions}
    </>
  );

  if (result.columns.length === 0) {
    return (
      <div className="rounded-xl border border-slate-200 bg-white p-4 text-sm text-slate-500 shadow-sm" aria-label="Query results" role="region">
        <div className="mb-1 flex gap-3">{summary}</div>
        The statement returned no columns.
      </div>
    );
  }
  return (
    <DataGrid
      columns={columns}
      rows={result.rows}
      valueOf={valueOf}
      testId="result-grid"
      label="Query results"
      summary={summary}
      placeholder={result.rows.length === 0 ? <p className="p-4 text-sm text-slate-500">No rows.</p> : null}
    />
  );
}
