import type { Metadata } from "next";
import { AccessPanel } from "@/components/auth/access-panel";
import { AdminHeader } from "@/components/admin/admin-nav";
import { Dashboard } from "@/components/admin/dashboard";
import { pageAccess } from "@/lib/server/8-page-guards";

export const metadata: Metadata = { title: "Dashboard" };

/** Shell only: the numbers are fetched and refreshed by the client from /api/admin/stats. */
export default async function AdminDashboardPage() {
  const access = await pageAccess({ role: "admin", path: "/admin" });
  if (access.status !== "ok") return <AccessPanel kind={access.status} role="admin" />;
  return (
    <div className="space-y-6">
      <AdminHeader description="Connection pools per role, the fleet, health and rate limits, live." />
      <Dashboard />
    </div>
  );
}
