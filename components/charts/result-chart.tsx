"use client";

import {
  Area,
  AreaChart,
  Bar,
  BarChart,
  CartesianGrid,
  Cell,
  Legend,
  Line,
  LineChart,
  Pie,
  PieChart,
  Scatter,
  ScatterChart,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";
import type { ChartData, ChartType } from "@/components/charts/chart-data";
import { LEGEND_STYLE } from "@/components/charts/legend-style";

const COLORS = ["#2563eb", "#059669", "#d97706", "#db2777", "#7c3aed", "#0891b2", "#65a30d", "#dc2626"];
const color = (i: number) => COLORS[i % COLORS.length]!;
const SIZE = { width: "100%", height: 320 };
const MARGIN = { top: 8, right: 16, bottom: 8, left: 0 };
const TICK = { fontSize: 11 };

/** One chart of a result's points; animation off, since a 5,000-point chart should appear, not grow. */
export function ResultChart({ data, type }: { data: ChartData; type: ChartType }) {
  const many = data.points.length > 200;
  if (type === "pie") {
    const key = data.keys[0]!;
    return (
      <PieChart responsive style={SIZE} margin={MARGIN}>
        <Pie data={data.points} dataKey={key} nameKey="x" isAnimationActive={false} outerRadius="80%" label={!many}>
          {data.points.map((point, i) => (
            <Cell key={`${point.x}-${i}`} fill={color(i)} />
          ))}
        </Pie>
        <Tooltip />
        {data.points.length <= 24 ? <Legend wrapperStyle={LEGEND_STYLE} /> : null}
      </PieChart>
    );
  }
  if (type === "scatter") {
    const numericX = data.points.every((point) => typeof point.x === "number");
    return (
      <ScatterChart responsive style={SIZE} margin={MARGIN}>
        <CartesianGrid strokeDasharray="3 3" stroke="#e2e8f0" />
        <XAxis dataKey="x" type={numericX ? "number" : "category"} tick={TICK} allowDuplicatedCategory={false} domain={["auto", "auto"]} />
        <YAxis dataKey="y" type="number" tick={TICK} domain={["auto", "auto"]} />
        <Tooltip />
        <Legend wrapperStyle={LEGEND_STYLE} />
        {data.keys.map((key, i) => (
          <Scatter
            key={key}
            name={key}
            data={data.points.map((point) => ({ x: point.x, y: point[key] }))}
            fill={color(i)}
            isAnimationActive={false}
          />
        ))}
      </ScatterChart>
    );
  }
  const axes = (
    <>
      <CartesianGrid strokeDasharray="3 3" stroke="#e2e8f0" />
      <XAxis dataKey="x" tick={TICK} minTickGap={24} />
      <YAxis tick={TICK} />
      <Tooltip />
      <Legend wrapperStyle={LEGEND_STYLE} />
    </>
  );
  if (type === "bar") {
    return (
      <BarChart responsive style={SIZE} data={data.points} margin={MARGIN}>
        {axes}
        {data.keys.map((key, i) => (
          <Bar key={key} dataKey={key} fill={color(i)} isAnimationActive={false} />
        ))}
      </BarChart>
    );
  }
  if (type === "area") {
    return (
      <AreaChart responsive style={SIZE} data={data.points} margin={MARGIN}>
        {axes}
        {data.keys.map((key, i) => (
          <Area key={key} dataKey={key} stroke={color(i)} fill={color(i)} fillOpacity={0.2} dot={false} isAnimationActive={false} connectNulls />
        ))}
      </AreaChart>
    );
  }
  return (
    <LineChart responsive style={SIZE} data={data.points} margin={MARGIN}>
      {axes}
      {data.keys.map((key, i) => (
        <Line key={key} dataKey={key} stroke={color(i)} dot={!many} strokeWidth={2} isAnimationActive={false} connectNulls />
      ))}
    </LineChart>
  );
}
