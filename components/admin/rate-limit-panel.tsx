"use client";

import { Bar, BarChart, CartesianGrid, Legend, Tooltip, XAxis, YAxis } from "recharts";
import { LEGEND_STYLE } from "@/components/charts/legend-style";
import type { AdminStats } from "@/lib/fleet/admin-stats";
import { Panel } from "@/components/admin/stat";

const DECISIONS = [
  { key: "allowed", color: "#10b981" },
  { key: "limited", color: "#e11d48" },
  { key: "fail-open", color: "#f59e0b" },
  { key: "fail-closed", color: "#7c3aed" },
] as const;

const clock = (at: number) => new Date(at).toISOString().slice(11, 16);

/** Allowed / limited per policy over the last 15 minutes (fleet-wide counters in Redis) and the fail-policy decisions. */
export function RateLimitPanel({ limits }: { limits: AdminStats["rateLimits"] }) {
  const { counters } = limits;
  const perMinute = counters
    ? counters.minutes.map((at, i) => ({
        at,
        ...Object.fromEntries(
          DECISIONS.map(({ key }) => [key, Object.values(counters.series).reduce((sum, byDecision) => sum + (byDecision[key][i] ?? 0), 0)]),
        ),
      }))
    : [];
  const total = counters ? Object.values(counters.totals).reduce((sum, t) => sum + t.allowed + t.limited + t["fail-open"] + t["fail-closed"], 0) : 0;

  return (
    <Panel
      title="Rate limits"
      testId="rate-limits"
      aside={
        <span className="text-xs text-slate-500">{limits.store === "redis" ? "fleet-wide, per minute" : "in-memory limiter: this process"}</span>
      }
    >
      {limits.error && <p className="mb-3 text-sm text-amber-800">{limits.error}; showing this instance&apos;s totals since start.</p>}
      {counters && total === 0 && <p className="mb-3 text-sm text-slate-500">No rate-limited traffic in the last 15 minutes.</p>}
      {counters && total > 0 && (
        <BarChart responsive style={{ width: "100%", height: 180 }} data={perMinute} margin={{ top: 4, right: 8, bottom: 0, left: -16 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="#e2e8f0" />
          <XAxis dataKey="at" tickFormatter={clock} tick={{ fontSize: 11 }} />
          <YAxis allowDecimals={false} tick={{ fontSize: 11 }} />
          <Tooltip labelFormatter={(at) => `${clock(Number(at))} UTC`} />
          <Legend wrapperStyle={LEGEND_STYLE} />
          {DECISIONS.map(({ key, color }) => (
            <Bar key={key} dataKey={key} stackId="decisions" fill={color} isAnimationActive={false} />
          ))}
        </BarChart>
      )}
      <div className="relative mt-3 overflow-x-auto">
        <table className="w-full text-left text-sm">
          <thead className="text-xs text-slate-500">
            <tr>
              <th className="py-1 pr-3 font-medium">policy</th>
              <th className="py-1 pr-3 font-medium">limit</th>
              <th className="py-1 pr-3 font-medium">on failure</th>
              <th className="py-1 pr-3 font-medium">allowed</th>
              <th className="py-1 pr-3 font-medium">limited</th>
              <th className="py-1 pr-3 font-medium">fail-open</th>
              <th className="py-1 pr-3 font-medium">fail-closed</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {limits.policies.map((policy) => {
              // Fleet totals of the last 15 minutes when Redis answers, else this process since start.
              const counts = counters?.totals[policy.name] ?? limits.local[policy.name];
              return (
                <tr key={policy.name} data-testid={`policy-${policy.name}`}>
                  <td className="py-1.5 pr-3 font-mono text-xs" title={policy.description}>
                    {policy.name}
                  </td>
                  <td className="py-1.5 pr-3 tabular-nums">
                    {policy.limit} / {formatWindow(policy.windowMs)}
                  </td>
                  <td className="py-1.5 pr-3">{policy.failMode === "open" ? "allow" : "refuse"}</td>
                  <td className="py-1.5 pr-3 tabular-nums">{counts.allowed}</td>
                  <td className={`py-1.5 pr-3 tabular-nums ${counts.limited ? "text-rose-700" : ""}`}>{counts.limited}</td>
                  <td className={`py-1.5 pr-3 tabular-nums ${counts["fail-open"] ? "text-amber-700" : ""}`}>{counts["fail-open"]}</td>
                  <td className={`py-1.5 pr-3 tabular-nums ${counts["fail-closed"] ? "text-violet-700" : ""}`}>{counts["fail-closed"]}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <TopLimitedList top={limits.topLimited} />
    </Panel>
  );
}

function formatWindow(windowMs: number): string {
  const minutes = windowMs / 60_000;
  return minutes >= 60 && minutes % 60 === 0 ? `${minutes / 60} h` : minutes >= 1 ? `${minutes} min` : `${windowMs / 1000} s`;
}

/** Who hit the limits hardest in the last 15 minutes (IPs, user ids, token hashes; never raw tokens). */
function TopLimitedList({ top }: { top: AdminStats["rateLimits"]["topLimited"] }) {
  if (top === null) return <p className="mt-3 text-xs text-slate-500">Top limited identifiers are unavailable while Redis is unreachable.</p>;
  return (
    <div className="mt-4" data-testid="top-limited">
      <h3 className="text-xs font-medium uppercase tracking-wide text-slate-500">Top limited identifiers (15 min)</h3>
      {top.length === 0 ? (
        <p className="mt-1 text-xs text-slate-500">Nobody was refused.</p>
      ) : (
        <ul className="mt-1 divide-y divide-slate-100 text-xs">
          {top.map((entry) => (
            <li key={`${entry.policy} ${entry.identifier}`} className="flex justify-between gap-3 py-1">
              <span className="truncate font-mono" title={entry.identifier}>
                {entry.identifier}
              </span>
              <span className="shrink-0 text-slate-500">
                {entry.policy} · <span className="tabular-nums text-rose-700">{entry.count}</span>
              </span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
