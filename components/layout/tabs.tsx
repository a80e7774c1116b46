"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";

export interface Tab {
  href: string;
  label: string;
  /** Active only on this exact path, not below it (e.g. an area's index page). */
  exact?: boolean;
}

export function Tabs({ tabs, label }: { tabs: readonly Tab[]; label?: string }) {
  const pathname = usePathname();
  return (
    // Wraps on a phone rather than pushing the page sideways; a label never breaks inside.
    <nav aria-label={label} className="flex flex-wrap gap-x-1 border-b border-slate-200 text-sm">
      {tabs.map((tab) => {
        const active = pathname === tab.href || (!tab.exact && pathname.startsWith(`${tab.href}/`));
        return (
          <Link
            key={tab.href}
            href={tab.href}
            aria-current={active ? "page" : undefined}
            className={`-mb-px whitespace-nowrap border-b-2 px-2.5 py-2 sm:px-3 ${active ? "border-brand-600 font-medium text-slate-900" : "border-transparent text-slate-600 hover:border-slate-300 hover:text-slate-900"}`}
          >
            {tab.label}
          </Link>
        );
      })}
    </nav>
  );
}
