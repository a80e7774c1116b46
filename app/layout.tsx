import type { Metadata } from "next";
import { SiteHeader, type NavLink } from "@/components/layout/site-header";
import { roleAtLeast, type Caller } from "@/lib/core/caller";
import { currentCaller } from "@/lib/server/8-page-guards";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Sluice", template: "%s · Sluice" },
  description: "Safe, fast, observable access to your PostgreSQL database.",
  icons: { icon: "/favicon.svg" },
};

const publicLinks: NavLink[] = [{ href: "/", label: "Overview" }];

/** The areas this caller can use; the pages re-check access themselves. */
function linksFor(caller: Caller | null): NavLink[] {
  if (!caller) return publicLinks;
  return [
    ...publicLinks,
    { href: "/explore", label: "Explore" },
    ...(roleAtLeast(caller.role, "analyst") ? [{ href: "/sql", label: "SQL" }] : []),
    { href: "/queries", label: "Saved queries" },
    { href: "/settings/tokens", label: "API tokens" },
    ...(caller.role === "admin" ? [{ href: "/admin", label: "Admin" }] : []),
  ];
}

export default async function RootLayout({ children }: Readonly<{ children: React.ReactNode }>) {
  // The header is informational; a session store outage must not take every page down with it.
  const caller = await currentCaller().catch(() => null);
  return (
    <html lang="en">
      <body className="min-h-screen">
        <SiteHeader links={linksFor(caller)} user={caller ? { email: caller.email, role: caller.role } : null} />
        <main className="mx-auto max-w-6xl px-4 py-6 sm:px-6 sm:py-10">{children}</main>
      </body>
    </html>
  );
}
