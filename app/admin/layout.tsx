import type { Metadata } from "next";
import { AccessPanel } from "@/components/auth/access-panel";
import { pageAccess } from "@/lib/auth/guards";

export const metadata: Metadata = { title: { default: "Admin", template: "%s · Admin · Sluice" } };

/** Admins only; each admin page and every admin action checks again on its own. */
export default async function AdminLayout({ children }: { children: React.ReactNode }) {
  const access = await pageAccess({ role: "admin" });
  if (access.status !== "ok") return <AccessPanel kind={access.status} role="admin" />;
  return children;
}
