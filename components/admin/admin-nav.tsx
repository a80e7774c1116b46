import { Tabs, type Tab } from "@/components/layout/tabs";

/** The admin area's sub-navigation; the dashboard tab is active only on /admin itself. */
const LINKS: readonly Tab[] = [
  { href: "/admin", label: "Dashboard", exact: true },
  { href: "/admin/users", label: "Users" },
  { href: "/admin/tokens", label: "API tokens" },
  { href: "/admin/audit", label: "Audit log" },
];

export function AdminNav() {
  return <Tabs tabs={LINKS} label="Admin" />;
}
