"use client";

import { buttonClass } from "@/components/ui/button";
import type { ColumnInfo } from "@/components/explore/filter-builder";

/**
 * Which columns the API returns (`select=`). Everything checked again means
 * no `select=` at all, the API's default, so the URL stays short.
 */
export function ColumnPicker({
  columns,
  selected,
  onChange,
}: {
  columns: ColumnInfo[];
  selected: string[] | null;
  onChange: (next: string[] | null) => void;
}) {
  const chosen = new Set(selected ?? columns.map((column) => column.name));

  function toggle(name: string) {
    const next = columns.map((column) => column.name).filter((column) => (column === name ? !chosen.has(column) : chosen.has(column)));
    if (next.length === 0) return; // an empty select would return empty objects; keep at least one column
    onChange(next.length === columns.length ? null : next);
  }

  return (
    <details className="relative">
      <summary className={`${buttonClass("secondary")} cursor-pointer list-none`}>
        Columns {selected ? `(${chosen.size}/${columns.length})` : ""}
      </summary>
      <div
        className="absolute z-20 mt-1 max-h-80 w-64 overflow-y-auto rounded-lg border border-slate-200 bg-white p-2 shadow-lg"
        role="group"
        aria-label="Visible columns"
      >
        <div className="mb-1 flex justify-between px-1 text-xs">
          <button type="button" className="text-brand-600 hover:underline" onClick={() => onChange(null)}>
            All
          </button>
          <span className="text-slate-400">select=</span>
        </div>
        {columns.map((column) => (
          <label key={column.name} className="flex items-center gap-2 rounded px-1 py-1 text-sm hover:bg-slate-50">
            <input type="checkbox" checked={chosen.has(column.name)} onChange={() => toggle(column.name)} />
            <span className="truncate">{column.name}</span>
            <span className="ml-auto font-mono text-xs text-slate-400">{column.type}</span>
          </label>
        ))}
      </div>
    </details>
  );
}
