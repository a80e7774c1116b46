import type { SavedQueryChart } from "@/lib/db/schema/saved-queries";

export type ChartSettings = SavedQueryChart;
export type ChartType = ChartSettings["type"];
export const CHART_KINDS = ["bar", "line", "area", "scatter", "pie"] as const satisfies readonly ChartType[];

interface ResultLike {
  columns: { name: string; type: string }[];
  rows: unknown[][];
}

export interface ChartData {
  /** One object per x value: `x` and one key per plotted line/bar. */
  points: Array<Record<string, string | number | null>>;
  /** The plotted keys, in legend order. */
  keys: string[];
  /** Rows beyond the point cap are left out, and said so. */
  omittedRows: number;
  /** Settings naming a column the result does not have (the SQL changed since the chart was saved). */
  missing: string[];
}

/** More points than this only draw slower, not clearer. */
export const MAX_CHART_ROWS = 5000;
const MAX_SERIES = 24;

/** A cell as a number for the value axis: numeric strings (bigint, numeric) count; anything else is a gap. */
export function chartNumber(value: unknown): number | null {
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (typeof value === "string" && value.trim() !== "") {
    const number = Number(value);
    return Number.isFinite(number) ? number : null;
  }
  if (typeof value === "boolean") return value ? 1 : 0;
  return null;
}

function label(value: unknown): string | number {
  if (value === null || value === undefined) return "NULL";
  if (typeof value === "number") return value;
  return typeof value === "string" ? value : JSON.stringify(value);
}

/**
 * Turns a result into chart points. Without a series each y column is a key; with a series the
 * first y column is split into one key per series value (the first MAX_SERIES values seen).
 */
export function toChartData(result: ResultLike, settings: ChartSettings): ChartData {
  const index = new Map(result.columns.map((column, i) => [column.name, i]));
  const wanted = [settings.x, ...settings.y, ...(settings.series ? [settings.series] : [])];
  const missing = wanted.filter((name) => !index.has(name));
  if (missing.length > 0) return { points: [], keys: [], omittedRows: 0, missing };
  const rows = result.rows.slice(0, MAX_CHART_ROWS);
  const omittedRows = result.rows.length - rows.length;
  const xAt = index.get(settings.x)!;

  if (!settings.series || settings.type === "pie") {
    const ys = settings.type === "pie" ? settings.y.slice(0, 1) : settings.y;
    const points = rows.map((row) => ({
      x: label(row[xAt]),
      ...Object.fromEntries(ys.map((name) => [name, chartNumber(row[index.get(name)!])])),
    }));
    return { points, keys: ys, omittedRows, missing };
  }

  const seriesAt = index.get(settings.series)!;
  const yAt = index.get(settings.y[0]!)!;
  const byX = new Map<string | number, Record<string, string | number | null>>();
  const keys: string[] = [];
  for (const row of rows) {
    const key = String(label(row[seriesAt]));
    if (!keys.includes(key)) {
      if (keys.length >= MAX_SERIES) continue;
      keys.push(key);
    }
    const x = label(row[xAt]);
    const point = byX.get(x) ?? { x };
    point[key] = chartNumber(row[yAt]);
    byX.set(x, point);
  }
  return { points: [...byX.values()], keys, omittedRows, missing };
}

/** A first chart for a result: the first non-numeric column as x (else the first), the numeric ones as y. */
export function suggestChart(result: ResultLike, isNumeric: (type: string) => boolean): ChartSettings | null {
  if (result.columns.length < 2) return null;
  const numeric = result.columns.filter((column) => isNumeric(column.type));
  const x = result.columns.find((column) => !isNumeric(column.type)) ?? result.columns[0]!;
  const y = numeric.filter((column) => column.name !== x.name).map((column) => column.name);
  if (y.length === 0) return null;
  return { type: "bar", x: x.name, y: y.slice(0, 3) };
}
