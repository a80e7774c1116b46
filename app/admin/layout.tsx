import type { Metadata } from "next";
import { forbidden } from "next/navigation";
import { AccessPanel } from "@/components/auth/access-panel";
import { pageAccess } from "@/lib/server/8-page-guards";

export const metadata: Metadata = { title: { default: "Admin", template: "%s · Admin · Sluice" } };

/** Admins only; each admin page and every admin action checks again on its own. */
export default async function AdminLayout({ children }: { children: React.ReactNode }) {
  const access = await pageAccess({ role: "admin" });
  // HTTP 403 with app/forbidden.tsx; "unavailable" (Redis down) renders its panel.
  if (access.status === "forbidden") forbidden();
  if (access.status !== "ok") return <AccessPanel kind={access.status} role="admin" />;
  return children;
}
