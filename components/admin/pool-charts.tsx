"use client";

import { CartesianGrid, Legend, Line, LineChart, Tooltip, XAxis, YAxis } from "recharts";
import { LEGEND_STYLE } from "@/components/charts/legend-style";
import type { PoolSample, RoleSample } from "@/lib/fleet/pool-history";
import { ROLES } from "@/lib/db/roles";
import { Panel } from "@/components/admin/stat";

const COLORS = { readonly: "#2563eb", app: "#059669", admin: "#d97706" } as const;

const CHARTS: Array<{ key: keyof RoleSample; title: string; unit: string }> = [
  { key: "inUse", title: "Connections in use", unit: "" },
  { key: "waiting", title: "Requests waiting", unit: "" },
  { key: "waitMsP99", title: "Wait time p99", unit: " ms" },
  { key: "requestsPerS", title: "Requests per second", unit: "/s" },
];

const clock = (at: number) => new Date(at).toISOString().slice(11, 19);

/** The last 15 minutes, one line per role, sampled every few seconds on the server. */
export function PoolCharts({ samples, sampleEveryMs }: { samples: PoolSample[]; sampleEveryMs: number }) {
  return (
    <Panel
      title="Last 15 minutes"
      aside={<span className="text-xs text-slate-500">one sample every {sampleEveryMs / 1000} s · UTC</span>}
      testId="pool-charts"
    >
      {samples.length < 2 ? (
        <p className="text-sm text-slate-500">Collecting samples… the charts fill in over the next few seconds.</p>
      ) : (
        <div className="grid gap-6 md:grid-cols-2">
          {CHARTS.map((chart) => (
            <figure key={chart.key}>
              <figcaption className="mb-1 text-sm font-medium text-slate-700">{chart.title}</figcaption>
              <LineChart
                responsive
                style={{ width: "100%", height: 170 }}
                data={samples.map((sample) => ({
                  at: sample.at,
                  ...Object.fromEntries(ROLES.map((role) => [role, sample.roles[role]?.[chart.key] ?? null])),
                }))}
                margin={{ top: 4, right: 8, bottom: 0, left: -16 }}
              >
                <CartesianGrid strokeDasharray="3 3" stroke="#e2e8f0" />
                <XAxis dataKey="at" tickFormatter={clock} tick={{ fontSize: 11 }} minTickGap={40} />
                <YAxis allowDecimals={chart.key !== "inUse" && chart.key !== "waiting"} tick={{ fontSize: 11 }} />
                <Tooltip labelFormatter={(at) => clock(Number(at))} formatter={(value) => `${value}${chart.unit}`} />
                <Legend wrapperStyle={LEGEND_STYLE} />
                {ROLES.map((role) => (
                  <Line key={role} type="linear" dataKey={role} stroke={COLORS[role]} dot={false} strokeWidth={2} isAnimationActive={false} />
                ))}
              </LineChart>
            </figure>
          ))}
        </div>
      )}
    </Panel>
  );
}
