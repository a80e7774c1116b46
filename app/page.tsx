import Link from "next/link";
import { connection } from "next/server";
import { StatusBadge } from "@/components/layout/status-badge";
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

      {/* The status only: pool sizes, latencies and migrations are for admins (the dashboard). */}
      <section className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
        <div className="flex items-center justify-between">
          <h2 className="text-lg font-semibold">Database status</h2>
          <StatusBadge ok={report.status === "ok"} label={report.status === "ok" ? "ready" : "not ready"} />
        </div>
      </section>

      <section className="grid gap-4 sm:grid-cols-2">
        <Link href="/api/health/ready" className="rounded-xl border border-slate-200 bg-white p-5 hover:border-brand-500">
          <h3 className="font-semibold">Readiness</h3>
          <p className="mt-1 text-sm text-slate-600">The health check load balancers use: its status as JSON, the detail for admins.</p>
        </Link>
        <Link href="/api/health" className="rounded-xl border border-slate-200 bg-white p-5 hover:border-brand-500">
          <h3 className="font-semibold">Liveness</h3>
          <p className="mt-1 text-sm text-slate-600">Answers while the process runs, without touching any dependency.</p>
        </Link>
      </section>
    </div>
  );
}
