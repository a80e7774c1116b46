import Link from "next/link";
import { connection } from "next/server";
import { StatusBadge } from "@/components/layout/status-badge";
import { pool } from "@/lib/db/clients";
import { ROLES } from "@/lib/db/roles";
import { readiness } from "@/lib/server/9-readiness";

export default async function HomePage() {
  await connection();
  const report = await readiness();

  return (
    <div className="space-y-10">
      <section className="max-w-3xl space-y-4">
        <h1 className="text-3xl font-semibold tracking-tight">Your PostgreSQL, safely in reach</h1>
        <p className="text-lg text-slate-600">
          Sluice gives a team read access to a Postgres database without handing out credentials: browse tables, run read-only SQL and call a
          rate-limited JSON API, while every request runs as a least-privilege database role through a measured connection pool.
        </p>
      </section>

      <section className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
        <div className="flex items-center justify-between">
          <h2 className="text-lg font-semibold">Database status</h2>
          <StatusBadge ok={report.status === "ok"} label={report.status === "ok" ? "ready" : `not ready: ${report.failed.join(", ")}`} />
        </div>
        <table className="mt-4 w-full text-left text-sm">
          <thead className="text-slate-500">
            <tr>
              <th className="py-2 font-medium">Role pool</th>
              <th className="py-2 font-medium">Check</th>
              <th className="py-2 font-medium">Latency</th>
              <th className="py-2 font-medium">Connections open</th>
              <th className="py-2 font-medium">In use / size</th>
              <th className="py-2 font-medium">Route</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {ROLES.map((role) => {
              const check = report.checks[`db:${role}`];
              const stats = pool(role).stats();
              return (
                <tr key={role}>
                  <td className="py-2 font-mono">{role}</td>
                  <td className="py-2">
                    <StatusBadge ok={Boolean(check?.ok)} label={check?.ok ? "ok" : String(check?.error ?? "failed")} />
                  </td>
                  <td className="py-2 tabular-nums">{check?.latencyMs !== undefined ? `${check.latencyMs} ms` : "—"}</td>
                  <td className="py-2 tabular-nums">{stats.connections.open}</td>
                  <td className="py-2 tabular-nums">
                    {stats.inUse} / {stats.size}
                  </td>
                  <td className="py-2">{stats.fallbackToDirect ? "direct (pooler unreachable)" : stats.target}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
        <p className="mt-4 text-sm text-slate-500">
          Migrations: {report.checks.migrations?.ok ? "current" : String(report.checks.migrations?.error ?? "unknown")}
        </p>
      </section>

      <section className="grid gap-4 sm:grid-cols-2">
        <Link href="/api/health/ready" className="rounded-xl border border-slate-200 bg-white p-5 hover:border-brand-500">
          <h3 className="font-semibold">Readiness</h3>
          <p className="mt-1 text-sm text-slate-600">The deep health check load balancers use, as JSON.</p>
        </Link>
        <Link href="/api/health" className="rounded-xl border border-slate-200 bg-white p-5 hover:border-brand-500">
          <h3 className="font-semibold">Liveness</h3>
          <p className="mt-1 text-sm text-slate-600">Answers while the process runs, without touching any dependency.</p>
        </Link>
      </section>
    </div>
  );
}
