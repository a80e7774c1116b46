"use client";

import { Button } from "@/components/ui/button";
import { Select } from "@/components/ui/input";
import { PAGE_SIZES, previousPageOffset } from "@/components/explore/grid-query";

const number = new Intl.NumberFormat("en-US");

export function GridPager({
  offset,
  limit,
  shown,
  total,
  estimated,
  elapsedMs,
  loading,
  onPage,
}: {
  offset: number;
  limit: number;
  shown: number;
  total: number | null;
  estimated: boolean;
  elapsedMs: number | null;
  loading: boolean;
  onPage: (limit: number, offset: number) => void;
}) {
  const hasNext = total !== null ? offset + shown < total : shown === limit;
  const range = shown > 0 ? `Rows ${number.format(offset + 1)}–${number.format(offset + shown)}` : loading ? "Loading rows…" : "No rows";
  const previousOffset = previousPageOffset(offset, limit, total);
  return (
    <>
      <span data-testid="grid-range">
        {range}
        {total !== null && !(loading && shown === 0) ? ` of ${estimated ? "≈ " : ""}${number.format(total)}` : ""}
      </span>
      {elapsedMs !== null ? (
        <span className="text-slate-400" data-testid="grid-elapsed">
          {elapsedMs} ms
        </span>
      ) : null}
      <span className="ml-auto flex items-center gap-2">
        <label className="flex items-center gap-1.5">
          <span className="text-xs text-slate-500">Rows per page</span>
          <Select value={String(limit)} onChange={(event) => onPage(Number(event.target.value), 0)} className="w-20 py-1" aria-label="Rows per page">
            {[...new Set([...PAGE_SIZES, limit])]
              .sort((a, b) => a - b)
              .map((size) => (
                <option key={size} value={size}>
                  {size}
                </option>
              ))}
          </Select>
        </label>
        <Button size="sm" disabled={offset === 0} onClick={() => onPage(limit, previousOffset)}>
          ← Previous
        </Button>
        <Button size="sm" disabled={!hasNext} onClick={() => onPage(limit, offset + limit)}>
          Next →
        </Button>
      </span>
    </>
  );
}
