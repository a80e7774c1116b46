"use client";

import { flexRender, getCoreRowModel, useReactTable, type ColumnDef } from "@tanstack/react-table";
import { useMemo } from "react";
import { Badge } from "@/components/ui/badge";
import { CellValue } from "@/components/ui/cell-value";
import { GridBody } from "@/components/ui/grid-body";
import { TableShell, TH } from "@/components/ui/table-shell";
import type { SqlResult } from "@/components/sql/result-types";

type Row = unknown[];
const number = new Intl.NumberFormat("en-US");

/** Rows of an ad-hoc or saved query: columns by position, since SQL allows two columns of one name. */
export function ResultGrid({ result, maxRows }: { result: SqlResult; maxRows?: number }) {
  const columns = useMemo<ColumnDef<Row>[]>(
    () =>
      result.columns.map((column, index) => ({
        id: String(index),
        header: column.name,
        accessorFn: (row: Row) => row[index],
        cell: (info) => <CellValue value={info.getValue()} />,
      })),
    [result.columns],
  );
  // TanStack Table is the grid engine by design; the React Compiler just skips memoizing this component.
  // eslint-disable-next-line react-hooks/incompatible-library
  const table = useReactTable({ data: result.rows, columns, getCoreRowModel: getCoreRowModel() });

  return (
    <TableShell
      label="Query results"
      footer={
        <>
          <span data-testid="result-count">
            {number.format(result.rowCount)} {result.rowCount === 1 ? "row" : "rows"}
          </span>
          <span className="text-slate-400" data-testid="result-elapsed">
            {result.elapsedMs} ms
          </span>
          {result.cached ? <Badge tone="brand">from cache</Badge> : null}
          {result.truncated ? (
            <span className="ml-auto" data-testid="result-truncated">
              <Badge tone="warning">truncated</Badge>{" "}
              <span className="text-xs text-amber-800">
                {result.truncatedBy === "bytes"
                  ? `Only the first ${number.format(result.rows.length)} rows fit in the size limit; select fewer or shorter columns, or add a LIMIT.`
                  : `Only the first ${number.format(maxRows ?? result.rows.length)} rows are shown; add a LIMIT or narrow the WHERE clause.`}
              </span>
            </span>
          ) : null}
        </>
      }
    >
      {result.columns.length === 0 ? (
        <p className="p-4 text-sm text-slate-500">The statement returned no columns.</p>
      ) : (
        <table className="min-w-full text-sm" data-testid="result-grid">
          <thead>
            {table.getHeaderGroups().map((group) => (
              <tr key={group.id}>
                {group.headers.map((header) => (
                  <th key={header.id} className={TH}>
                    {flexRender(header.column.columnDef.header, header.getContext())}
                    <span className="ml-1 font-mono text-[10px] font-normal normal-case text-slate-400">
                      {result.columns[Number(header.id)]?.type}
                    </span>
                  </th>
                ))}
              </tr>
            ))}
          </thead>
          <GridBody rows={table.getRowModel().rows} typeOf={(id) => result.columns[Number(id)]?.type} />
        </table>
      )}
      {result.columns.length > 0 && result.rows.length === 0 ? <p className="p-4 text-sm text-slate-500">No rows.</p> : null}
    </TableShell>
  );
}
