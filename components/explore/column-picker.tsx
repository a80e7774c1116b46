"use client";

import { useRef, useState } from "react";
import { buttonClass } from "@/components/ui/button";
import type { ColumnInfo } from "@/components/explore/filter-builder";

/**
 * Which columns the API returns (`select=`). Checkboxes edit a local draft, committed once when
 * the picker closes or on Apply: a toggle computed from the URL would read the previous
 * render's URL and drop fast clicks. Everything checked means no `select=` at all.
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
  const details = useRef<HTMLDetailsElement>(null);
  const [draft, setDraft] = useState<Set<string> | null>(null);
  const committed = new Set(selected ?? columns.map((column) => column.name));
  const chosen = draft ?? committed;

  function toggle(name: string) {
    setDraft((current) => {
      const next = new Set(current ?? committed);
      if (next.has(name)) {
        // An empty select would return empty objects; keep at least one column.
        if (next.size > 1) next.delete(name);
      } else next.add(name);
      return next;
    });
  }

  function commit() {
    if (!draft) return;
    const names = columns.map((column) => column.name).filter((name) => draft.has(name));
    setDraft(null);
    const unchanged = names.length === committed.size && names.every((name) => committed.has(name));
    if (!unchanged) onChange(names.length === columns.length ? null : names);
  }

  function close() {
    if (details.current) details.current.open = false; // fires onToggle, which commits
  }

  return (
    <details ref={details} className="relative" onToggle={(event) => (event.currentTarget.open ? undefined : commit())}>
      <summary className={`${buttonClass("secondary")} cursor-pointer list-none`}>
        Columns {selected ? `(${committed.size}/${columns.length})` : ""}
      </summary>
      <div
        className="absolute z-20 mt-1 max-h-80 w-64 overflow-y-auto rounded-lg border border-slate-200 bg-white p-2 shadow-lg"
        role="group"
        aria-label="Visible columns"
        onKeyDown={(event) => (event.key === "Escape" ? close() : undefined)}
      >
        <div className="mb-1 flex items-center justify-between gap-2 px-1 text-xs">
          <button type="button" className="text-brand-600 hover:underline" onClick={() => setDraft(new Set(columns.map((column) => column.name)))}>
            All
          </button>
          <span className="text-slate-400">select=</span>
          <button type="button" className={buttonClass("primary", "sm")} onClick={close}>
            Apply
          </button>
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
