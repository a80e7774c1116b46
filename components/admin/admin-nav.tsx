import { Tabs, type Tab } from "@/components/layout/tabs";

/** The admin area's sub-navigation; the dashboard tab is active only on /admin itself. */
const LINKS: readonly Tab[] = [
  { href: "/admin", label: "Dashboard", exact: true },
  { href: "/admin/users", label: "Users" },
  { href: "/admin/queries", label: "Running queries" },
  { href: "/admin/tokens", label: "API tokens" },
  { href: "/admin/audit", label: "Audit log" },
];

export function AdminNav() {
  return <Tabs tabs={LINKS} label="Admin" />;
}

/** The top of an admin page: the area's title, what this page is for, and the tab bar. */
export function AdminHeader({ description }: { description: React.ReactNode }) {
  return (
    <>
      <header className="space-y-1">
        <h1 className="text-2xl font-semibold tracking-tight">Admin</h1>
        <p className="text-slate-600">{description}</p>
      </header>
      <AdminNav />
    </>
  );
}
