import Link from "next/link";
import { connection } from "next/server";
import { SignedInHome, type Shortcut } from "@/components/home/signed-in-home";
import { StatusBadge } from "@/components/layout/status-badge";
import { roleAtLeast, type Caller } from "@/lib/core/caller";
import { recentRuns } from "@/lib/explore/history";
import { listVisibleQueries } from "@/lib/explore/saved-queries";
import { toApiError } from "@/lib/server/6-to-api-error";
import { currentCaller, redirectToPendingPasswordChange } from "@/lib/server/8-page-guards";
import { readiness } from "@/lib/server/9-readiness";

/** How many recent runs and saved queries the signed-in home lists. */
const HOME_LIST_LENGTH = 8;

function shortcutsFor(caller: Caller): Shortcut[] {
  const analyst = roleAtLeast(caller.role, "analyst");
  return [
    { href: "/explore", title: "Explore tables", text: "Browse the data schemas: filter, sort, download." },
    analyst
      ? { href: "/sql", title: "SQL console", text: "Run one read-only statement, chart it, explain it." }
      : { href: "/queries", title: "Saved queries", text: "Run the queries your team shared." },
    ...(analyst ? [{ href: "/queries/new", title: "New saved query", text: "Save SQL with typed parameters and share it." }] : []),
  ];
}

async function SignedInHomePage({ caller }: { caller: Caller }) {
  const [history, queries] = await Promise.allSettled([
    recentRuns(caller.userId, HOME_LIST_LENGTH),
    listVisibleQueries({ userId: caller.userId, role: caller.role }, { limit: HOME_LIST_LENGTH }),
  ]);
  const failed = [history, queries].find((result) => result.status === "rejected");
  return (
    <SignedInHome
      email={caller.email}
      shortcuts={shortcutsFor(caller)}
      history={history.status === "fulfilled" ? history.value : null}
      queries={queries.status === "fulfilled" ? queries.value : null}
      failure={failed ? toApiError(failed.reason).message : null}
    />
  );
}

export default async function HomePage() {
  await connection();
  // The session store being down must not take the home page with it: it then shows the anonymous view.
  const caller = await currentCaller().catch(() => null);
  redirectToPendingPasswordChange(caller);
  if (caller) return <SignedInHomePage caller={caller} />;
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
