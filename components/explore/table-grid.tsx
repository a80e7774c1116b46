"use client";

import { usePathname, useSearchParams } from "next/navigation";
import { useMemo, useState } from "react";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { ErrorPanel } from "@/components/ui/error-panel";
import { Select } from "@/components/ui/input";
import { Spinner } from "@/components/ui/spinner";
import { DataGrid, type GridColumn } from "@/components/grid/data-grid";
import { SkeletonRows } from "@/components/grid/skeleton-rows";
import { ColumnPicker } from "@/components/explore/column-picker";
import { FilterBuilder, type ColumnInfo } from "@/components/explore/filter-builder";
import { GridPager } from "@/components/explore/grid-pager";
import { addFilter, clearFilters, cycleSort, readGridQuery, removeFilter, setPage, setSelect } from "@/components/explore/grid-query";
import { useTableRows, type CountMode } from "@/components/explore/use-table-rows";

type Row = Record<string, unknown>;
const valueOf = (row: Row, column: GridColumn) => row[column.name];

export interface GridRelation {
  /** `schema.table`, URL-encoded as in /api/v1/tables/{relation}. */
  path: string;
  estimatedRows: number | null;
  columns: ColumnInfo[];
}

/** Exact counts are cheap below this many rows; above it the planner's estimate answers at once. */
const EXACT_COUNT_BELOW = 1_000_000;

export function TableGrid({ relation }: { relation: GridRelation }) {
  const searchParams = useSearchParams();
  const pathname = usePathname();
  const params = useMemo(() => new URLSearchParams(searchParams.toString()), [searchParams]);
  const query = readGridQuery(params);
  const [countMode, setCountMode] = useState<CountMode>(
    relation.estimatedRows !== null && relation.estimatedRows >= EXACT_COUNT_BELOW ? "planned" : "exact",
  );
  const state = useTableRows(relation.path, params.toString(), countMode);

  // The native History API updates useSearchParams without a server round trip: paging stays instant.
  function navigate(next: URLSearchParams) {
    const text = next.toString();
    window.history.pushState(null, "", text ? `${pathname}?${text}` : pathname);
  }

  const types = useMemo(() => new Map(relation.columns.map((column) => [column.name, column.type])), [relation.columns]);
  const shownColumns = useMemo(() => {
    if (state.rows.length > 0) return Object.keys(state.rows[0]!);
    return query.select ?? relation.columns.map((column) => column.name);
  }, [state.rows, query.select, relation.columns]);

  const gridColumns = useMemo<GridColumn[]>(() => shownColumns.map((name) => ({ id: name, name, type: types.get(name) })), [shownColumns, types]);
  const loading = state.status === "loading";

  const exportQuery = new URLSearchParams(params);
  exportQuery.delete("limit");
  exportQuery.delete("offset");
  const apiQuery = params.toString();

  return (
    <div className="space-y-4">
      <div className="space-y-3 rounded-xl border border-slate-200 bg-white p-4 shadow-sm">
        <FilterBuilder columns={relation.columns} onAdd={(column, value) => navigate(addFilter(params, column, value))} />
        {query.filters.length > 0 ? (
          <div className="flex flex-wrap items-center gap-2" aria-label="Active filters">
            {query.filters.map((filter) => (
              <span
                key={`${filter.key}=${filter.value}`}
                className="inline-flex items-center gap-1 rounded-full bg-brand-50 py-0.5 pr-1 pl-3 text-sm text-brand-700 ring-1 ring-brand-100"
                data-testid="filter-chip"
              >
                <span className="font-mono text-xs">{filter.label}</span>
                <button
                  type="button"
                  onClick={() => navigate(removeFilter(params, filter))}
                  className="rounded-full px-1.5 text-brand-700 hover:bg-brand-100"
                  aria-label={`Remove filter ${filter.label}`}
                >
                  ×
                </button>
              </span>
            ))}
            <Button size="sm" variant="ghost" onClick={() => navigate(clearFilters(params))}>
              Clear filters
            </Button>
          </div>
        ) : null}
        <div className="flex flex-wrap items-center gap-2 border-t border-slate-100 pt-3">
          <ColumnPicker columns={relation.columns} selected={query.select} onChange={(columns) => navigate(setSelect(params, columns))} />
          <label className="flex items-center gap-1.5 text-sm text-slate-600">
            Count
            <Select
              value={countMode}
              onChange={(event) => setCountMode(event.target.value as CountMode)}
              className="w-28 py-1.5"
              aria-label="Count mode"
            >
              <option value="exact">exact</option>
              <option value="planned">planned</option>
              <option value="estimated">estimated</option>
            </Select>
          </label>
          <a
            href={`/explore/${relation.path}/export?${exportQuery}`}
            download
            className="inline-flex items-center rounded-lg px-3.5 py-2 text-sm font-medium text-slate-700 ring-1 ring-slate-300 hover:bg-slate-50"
          >
            Download CSV
          </a>
          <a
            href={`/api/v1/tables/${relation.path}${apiQuery ? `?${apiQuery}` : ""}`}
            target="_blank"
            rel="noreferrer"
            className="ml-auto truncate font-mono text-xs text-slate-500 hover:text-brand-700"
            title="The same rows from the JSON API"
          >
            GET /api/v1/tables/{decodeURIComponent(relation.path)}
            {apiQuery ? `?${decodeURIComponent(apiQuery)}` : ""}
          </a>
        </div>
      </div>

      {state.error ? (
        <ErrorPanel title="The rows could not be loaded" error={state.error}>
          {state.error.message}
        </ErrorPanel>
      ) : null}

      <DataGrid
        columns={gridColumns}
        rows={state.rows}
        valueOf={valueOf}
        testId="table-grid"
        label="Rows"
        busy={loading}
        summary={
          <>
            {loading ? <Spinner /> : null}
            <GridPager
              offset={query.offset}
              limit={query.limit}
              shown={state.rows.length}
              total={state.total}
              estimated={countMode !== "exact"}
              elapsedMs={state.elapsedMs}
              loading={loading}
              onPage={(limit, offset) => navigate(setPage(params, limit, offset))}
            />
          </>
        }
        headerAttributes={(column) => {
          const sort = query.sort.find((term) => term.column === column.id);
          return { "aria-sort": sort ? (sort.direction === "asc" ? "ascending" : "descending") : undefined };
        }}
        header={(column) => {
          const sort = query.sort.find((term) => term.column === column.id);
          return (
            <>
              <button
                type="button"
                onClick={() => navigate(cycleSort(params, column.id))}
                className="inline-flex items-center gap-1 hover:text-slate-900"
                title="Sort (ascending, descending, off)"
              >
                {column.name}
                <span aria-hidden className={sort ? "text-brand-600" : "text-slate-300"}>
                  {sort?.direction === "desc" ? "▼" : sort ? "▲" : "↕"}
                </span>
              </button>
              {column.type ? <span className="ml-1 font-mono text-[10px] font-normal text-slate-400">{column.type}</span> : null}
            </>
          );
        }}
        placeholder={
          state.status === "ok" && state.rows.length === 0 ? (
            <div className="p-4">
              <EmptyState title="No rows match">
                {query.filters.length > 0
                  ? "Remove a filter or change its value to see rows."
                  : query.offset > 0
                    ? "This page is past the last row."
                    : "This relation is empty."}
              </EmptyState>
            </div>
          ) : loading && state.rows.length === 0 && !state.error ? (
            <SkeletonRows columns={gridColumns.length} />
          ) : null
        }
      />
      {relation.estimatedRows !== null ? (
        <p className="text-xs text-slate-500">
          <Badge>tip</Badge> Sorting on an indexed column (such as the primary key) keeps paging instant on large tables.
        </p>
      ) : null}
    </div>
  );
}
