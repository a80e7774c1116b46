import Link from "next/link";
import { SignOutButton } from "@/components/auth/sign-out-button";

export interface NavLink {
  href: string;
  label: string;
}

export interface HeaderUser {
  email: string;
  role: string;
}

/** The bar on every page: the name, the areas this user may visit, and who is signed in. */
export function SiteHeader({ links, user }: { links: NavLink[]; user: HeaderUser | null }) {
  return (
    <header className="border-b border-slate-200 bg-white">
      <div className="mx-auto flex h-14 max-w-6xl items-center gap-8 px-6">
        <Link href="/" className="flex items-center gap-2 font-semibold tracking-tight text-slate-900">
          {/* eslint-disable-next-line @next/next/no-img-element */}
          <img src="/favicon.svg" alt="" width={24} height={24} />
          Sluice
        </Link>
        <nav className="flex gap-5 text-sm text-slate-600">
          {links.map((link) => (
            <Link key={link.href} href={link.href} className="hover:text-slate-900">
              {link.label}
            </Link>
          ))}
        </nav>
        <div className="ml-auto flex items-center gap-3 text-sm">
          {user ? (
            <>
              <span className="text-slate-700" data-testid="signed-in-user">
                {user.email}
                <span className="ml-2 rounded-full bg-slate-100 px-2 py-0.5 text-xs text-slate-600">{user.role}</span>
              </span>
              <SignOutButton />
            </>
          ) : (
            <Link href="/sign-in" className="rounded-md bg-brand-600 px-3 py-1.5 font-medium text-white hover:bg-brand-700">
              Sign in
            </Link>
          )}
        </div>
      </div>
    </header>
  );
}
