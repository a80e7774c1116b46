import { describe, expect, it } from "vitest";
import { MAX_CHART_ROWS, chartNumber, suggestChart, toChartData } from "@/components/charts/chart-data";
import { isNumericType } from "@/components/ui/cell-value";

const result = {
  columns: [
    { name: "day", type: "date" },
    { name: "status", type: "text" },
    { name: "n", type: "bigint" },
    { name: "total", type: "numeric" },
  ],
  rows: [
    ["2024-01-01", "paid", "3", "10.50"],
    ["2024-01-01", "open", "1", "2"],
    ["2024-01-02", "paid", 5, null],
  ],
};

describe("toChartData", () => {
  it("plots every y column per row, numbers from numeric strings, NULL as a gap", () => {
    const data = toChartData(result, { type: "line", x: "day", y: ["n", "total"] });
    expect(data.keys).toEqual(["n", "total"]);
    expect(data.points).toEqual([
      { x: "2024-01-01", n: 3, total: 10.5 },
      { x: "2024-01-01", n: 1, total: 2 },
      { x: "2024-01-02", n: 5, total: null },
    ]);
    expect(data.missing).toEqual([]);
  });

  it("splits the first y column into one key per series value, one point per x", () => {
    const data = toChartData(result, { type: "bar", x: "day", y: ["n"], series: "status" });
    expect(data.keys).toEqual(["paid", "open"]);
    expect(data.points).toEqual([
      { x: "2024-01-01", paid: 3, open: 1 },
      { x: "2024-01-02", paid: 5 },
    ]);
  });

  it("names the columns a saved chart wants and the result lacks", () => {
    expect(toChartData(result, { type: "bar", x: "week", y: ["n", "gone"] }).missing).toEqual(["week", "gone"]);
  });

  it("caps the points and says how many rows were left out", () => {
    const many = { columns: result.columns, rows: Array.from({ length: MAX_CHART_ROWS + 7 }, (_, i) => [String(i), "s", i, i]) };
    const data = toChartData(many, { type: "scatter", x: "day", y: ["n"] });
    expect(data.points).toHaveLength(MAX_CHART_ROWS);
    expect(data.omittedRows).toBe(7);
  });
});

describe("chart helpers", () => {
  it("reads numbers, numeric text and booleans, and nothing else", () => {
    expect([
      chartNumber(2),
      chartNumber("1e3"),
      chartNumber(true),
      chartNumber("abc"),
      chartNumber(""),
      chartNumber(null),
      chartNumber(Infinity),
    ]).toEqual([2, 1000, 1, null, null, null, null]);
  });

  it("suggests the first label column as x and the numeric ones as values", () => {
    expect(suggestChart(result, isNumericType)).toEqual({ type: "bar", x: "day", y: ["n", "total"] });
    expect(suggestChart({ columns: [{ name: "a", type: "text" }], rows: [] }, isNumericType)).toBeNull();
  });
});
