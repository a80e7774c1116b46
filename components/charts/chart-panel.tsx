"use client";

import { useMemo } from "react";
import { CHART_KINDS, MAX_CHART_ROWS, toChartData, type ChartSettings } from "@/components/charts/chart-data";
import { ResultChart } from "@/components/charts/result-chart";
import type { SqlResult } from "@/components/sql/result-types";
import { Select } from "@/components/ui/input";

const number = new Intl.NumberFormat("en-US");

/** The chart of a result with its settings: type, x, value columns, optional series. */
export function ChartPanel({
  result,
  settings,
  onChange,
  saveSlot,
}: {
  result: SqlResult;
  settings: ChartSettings;
  onChange: (next: ChartSettings) => void;
  /** "Save chart" where the chart can be saved (a saved query the user may edit). */
  saveSlot?: React.ReactNode;
}) {
  const data = useMemo(() => toChartData(result, settings), [result, settings]);
  const names = result.columns.map((column) => column.name);

  function toggleY(name: string) {
    const y = settings.y.includes(name) ? settings.y.filter((other) => other !== name) : [...settings.y, name];
    if (y.length > 0) onChange({ ...settings, y });
  }

  return (
    <section className="space-y-3 rounded-xl border border-slate-200 bg-white p-4 shadow-sm" aria-label="Chart" data-testid="result-chart">
      <div className="flex flex-wrap items-end gap-3 text-sm">
        <label className="flex flex-col gap-1">
          <span className="text-xs font-medium text-slate-500">Chart</span>
          <Select
            value={settings.type}
            onChange={(event) => onChange({ ...settings, type: event.target.value as ChartSettings["type"] })}
            aria-label="Chart type"
            className="w-28 py-1"
          >
            {CHART_KINDS.map((kind) => (
              <option key={kind} value={kind}>
                {kind}
              </option>
            ))}
          </Select>
        </label>
        <label className="flex flex-col gap-1">
          <span className="text-xs font-medium text-slate-500">{settings.type === "pie" ? "Slices" : "X axis"}</span>
          <Select
            value={settings.x}
            onChange={(event) => onChange({ ...settings, x: event.target.value })}
            aria-label="X column"
            className="w-40 py-1"
          >
            {names.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </Select>
        </label>
        <fieldset className="flex flex-col gap-1">
          <legend className="text-xs font-medium text-slate-500">{settings.type === "pie" ? "Value" : "Values"}</legend>
          <div className="flex flex-wrap gap-x-3 gap-y-1">
            {names
              .filter((name) => name !== settings.x)
              .map((name) => (
                <label key={name} className="flex items-center gap-1">
                  <input type="checkbox" checked={settings.y.includes(name)} onChange={() => toggleY(name)} aria-label={`Plot ${name}`} />
                  <span className="font-mono text-xs">{name}</span>
                </label>
              ))}
          </div>
        </fieldset>
        {settings.type !== "pie" ? (
          <label className="flex flex-col gap-1">
            <span className="text-xs font-medium text-slate-500">Series</span>
            <Select
              value={settings.series ?? ""}
              onChange={(event) => onChange({ ...settings, series: event.target.value || undefined })}
              aria-label="Series column"
              className="w-40 py-1"
            >
              <option value="">none</option>
              {names
                .filter((name) => name !== settings.x)
                .map((name) => (
                  <option key={name} value={name}>
                    {name}
                  </option>
                ))}
            </Select>
          </label>
        ) : null}
        <span className="ml-auto flex items-center gap-2">{saveSlot}</span>
      </div>
      {data.missing.length > 0 ? (
        <p className="text-sm text-amber-800" role="alert">
          The result has no column {data.missing.map((name) => `"${name}"`).join(", ")}; pick the columns again.
        </p>
      ) : data.points.length === 0 ? (
        <p className="text-sm text-slate-500">No rows to chart.</p>
      ) : (
        <figure data-testid="chart-figure" data-points={data.points.length}>
          <ResultChart data={data} type={settings.type} />
          {data.omittedRows > 0 ? (
            <figcaption className="text-xs text-amber-800">
              The first {number.format(MAX_CHART_ROWS)} rows are charted; {number.format(data.omittedRows)} more are in the table.
            </figcaption>
          ) : null}
        </figure>
      )}
    </section>
  );
}
