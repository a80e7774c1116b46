"use client";

import { useState, type ReactNode } from "react";
import { ChartPanel } from "@/components/charts/chart-panel";
import { suggestChart, type ChartSettings } from "@/components/charts/chart-data";
import { ResultGrid } from "@/components/sql/result-grid";
import type { SqlResult } from "@/components/sql/result-types";
import { isNumericType } from "@/components/ui/cell-value";
import { buttonClass } from "@/components/ui/button";

/**
 * A run's result as the grid, with a chart above it on demand (or at once, when a saved query
 * has one). The chart draws from the same rows: no second run.
 */
export function ResultView({
  result,
  actions,
  savedChart,
  saveChart,
}: {
  result: SqlResult;
  actions?: ReactNode;
  savedChart?: ChartSettings | null;
  /** Renders the save control for the current settings; absent where a chart cannot be saved. */
  saveChart?: (settings: ChartSettings | null) => ReactNode;
}) {
  const [settings, setSettings] = useState<ChartSettings | null>(savedChart ?? null);
  const [open, setOpen] = useState(Boolean(savedChart));
  const chartable = result.columns.length >= 2;

  function toggle() {
    if (!open && !settings)
      setSettings(suggestChart(result, isNumericType) ?? { type: "bar", x: result.columns[0]!.name, y: [result.columns[1]!.name] });
    setOpen(!open);
  }

  return (
    <div className="space-y-4">
      {open && settings ? <ChartPanel result={result} settings={settings} onChange={setSettings} saveSlot={saveChart?.(settings)} /> : null}
      <ResultGrid
        result={result}
        actions={
          <>
            {actions}
            {chartable ? (
              <button type="button" className={buttonClass(open ? "primary" : "secondary", "sm")} onClick={toggle} aria-pressed={open}>
                Chart
              </button>
            ) : null}
          </>
        }
      />
    </div>
  );
}
