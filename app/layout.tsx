import type { Metadata } from "next";
import { SiteHeader } from "@/components/layout/site-header";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Sluice", template: "%s · Sluice" },
  description: "Safe, fast, observable access to your PostgreSQL database.",
  icons: { icon: "/favicon.svg" },
};

const links = [
  { href: "/", label: "Overview" },
  { href: "/api/health/ready", label: "Readiness JSON" },
];

export default function RootLayout({ children }: Readonly<{ children: React.ReactNode }>) {
  return (
    <html lang="en">
      <body className="min-h-screen">
        <SiteHeader links={links} />
        <main className="mx-auto max-w-6xl px-6 py-10">{children}</main>
      </body>
    </html>
  );
}
