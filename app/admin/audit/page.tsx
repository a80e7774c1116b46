import type { Metadata } from "next";
import Link from "next/link";
import { AccessPanel } from "@/components/auth/access-panel";
import { AdminHeader } from "@/components/admin/admin-nav";
import { AuditTable } from "@/components/admin/audit-table";
import { pageAccess } from "@/lib/server/8-page-guards";
import { AUDIT_PAGE_SIZE, auditFilterSchema, auditHref, firstValues, type AuditFilter } from "@/lib/fleet/audit-filter";
import { auditActions, auditPage, type AuditPage } from "@/lib/fleet/audit-log";

export const metadata: Metadata = { title: "Audit log" };

const input = "mt-1 block w-full rounded-md border border-slate-300 px-2.5 py-1.5 text-sm shadow-sm focus:border-brand-500 focus:outline-none";

export default async function AdminAuditPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const access = await pageAccess({ role: "admin", path: "/admin/audit" });
  if (access.status !== "ok") return <AccessPanel kind={access.status} role="admin" />;
  const raw = firstValues(await searchParams);
  const parsed = auditFilterSchema.safeParse(raw);
  const filter = parsed.success ? parsed.data : null;
  const [page, actions] = await Promise.all([filter ? auditPage(filter) : Promise.resolve(null), auditActions()]);
  const filtered = Boolean(filter && (filter.user || filter.action || filter.from || filter.to));

  return (
    <div className="space-y-6">
      <AdminHeader description="Who did what, newest first: sign-ins, user and token changes, query runs." />
      <form
        method="get"
        action="/admin/audit"
        className="grid gap-3 rounded-xl border border-slate-200 bg-white p-4 shadow-sm sm:grid-cols-5"
        aria-label="Filter the audit log"
      >
        <label className="text-sm text-slate-700">
          Actor
          <input name="user" defaultValue={raw.user ?? ""} placeholder="e-mail or user id" className={input} />
        </label>
        <label className="text-sm text-slate-700">
          Event
          <select name="action" defaultValue={raw.action ?? ""} className={input}>
            <option value="">any event</option>
            {actions.map((action) => (
              <option key={action} value={action}>
                {action}
              </option>
            ))}
          </select>
        </label>
        <label className="text-sm text-slate-700">
          From (UTC)
          <input type="date" name="from" defaultValue={raw.from ?? ""} className={input} />
        </label>
        <label className="text-sm text-slate-700">
          To (UTC, inclusive)
          <input type="date" name="to" defaultValue={raw.to ?? ""} className={input} />
        </label>
        <div className="flex items-end gap-2">
          <button type="submit" className="rounded-md bg-brand-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-brand-700">
            Filter
          </button>
          {filtered && (
            <Link href="/admin/audit" className="px-2 py-1.5 text-sm text-slate-600 hover:text-slate-900">
              Clear
            </Link>
          )}
        </div>
      </form>

      {!parsed.success ? (
        <p role="alert" className="rounded-xl border border-rose-200 bg-rose-50 p-4 text-sm text-rose-800">
          {parsed.error.issues.map((issue) => issue.message).join("; ")}
        </p>
      ) : page && page.rows.length === 0 ? (
        <div className="space-y-2 rounded-xl border border-dashed border-slate-300 bg-white p-6 text-sm text-slate-500" data-testid="audit-empty">
          <p>
            {page.total > 0
              ? `Page ${filter!.page} is past the last page of ${page.total.toLocaleString("en")} events.`
              : filtered
                ? "No events match these filters."
                : "The audit log is empty so far."}
          </p>
          {page.total > 0 && (
            <Link href={auditHref(filter!, lastPage(page))} className="text-brand-700 hover:underline">
              Go to the last page ({lastPage(page)})
            </Link>
          )}
        </div>
      ) : (
        page && (
          <>
            <AuditTable rows={page.rows} names={page.names} />
            <Pager page={page} filter={filter!} />
          </>
        )
      )}
    </div>
  );
}

const lastPage = (page: AuditPage) => Math.max(1, Math.ceil(page.total / AUDIT_PAGE_SIZE));

const pagerLink = "rounded-md px-3 py-1.5 ring-1 ring-slate-300 hover:bg-slate-50";

/** Previous / next with where this page sits: "51–100 of 1,234 events, page 2 of 25" (or "of more than 10,000"). */
function Pager({ page, filter }: { page: AuditPage; filter: AuditFilter }) {
  const first = (filter.page - 1) * AUDIT_PAGE_SIZE + 1;
  const last = first + page.rows.length - 1;
  const of = page.capped ? `more than ${page.total.toLocaleString("en")}` : page.total.toLocaleString("en");
  return (
    <nav className="flex flex-wrap items-center justify-between gap-2 text-sm" aria-label="Pages">
      <span className="text-slate-500" data-testid="audit-position">
        {first.toLocaleString("en")}–{last.toLocaleString("en")} of {of} {page.total === 1 && !page.capped ? "event" : "events"} · page {filter.page}
        {page.capped ? "" : ` of ${lastPage(page)}`}
      </span>
      <div className="flex gap-2">
        {filter.page > 1 && (
          <Link href={auditHref(filter, filter.page - 1)} className={pagerLink} rel="prev">
            ← Newer
          </Link>
        )}
        {page.hasNext && (
          <Link href={auditHref(filter, filter.page + 1)} className={pagerLink} rel="next">
            Older →
          </Link>
        )}
      </div>
    </nav>
  );
}
