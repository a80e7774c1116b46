import type { Metadata } from "next";
import { AccessPanel } from "@/components/auth/access-panel";
import { AdminHeader } from "@/components/admin/admin-nav";
import { RunningQueries } from "@/components/admin/running-queries";
import { pageAccess } from "@/lib/server/8-page-guards";

export const metadata: Metadata = { title: "Running queries" };

/** Shell only: the list is fetched and refreshed by the client from /api/admin/queries. */
export default async function AdminQueriesPage() {
  const access = await pageAccess({ role: "admin", path: "/admin/queries" });
  if (access.status !== "ok") return <AccessPanel kind={access.status} role="admin" />;
  return (
    <div className="space-y-6">
      <AdminHeader
        description={
          <>
            Every statement Sluice&apos;s database roles are running now, with who ran it. Cancel stops a statement; Terminate ends its database
            session.
          </>
        }
      />
      <RunningQueries />
    </div>
  );
}
