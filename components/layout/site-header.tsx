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

/**
 * The bar on every page: the name, the areas this user may visit, and who is signed in. Under
 * 768 px the links and the account fold into a menu (a <details>, so it works before any script).
 */
export function SiteHeader({ links, user }: { links: NavLink[]; user: HeaderUser | null }) {
  return (
    <header className="border-b border-slate-200 bg-white">
      <div className="mx-auto flex h-14 max-w-6xl items-center gap-8 px-4 sm:px-6">
        <Link href="/" className="flex items-center gap-2 font-semibold tracking-tight text-slate-900">
          {/* eslint-disable-next-line @next/next/no-img-element */}
          <img src="/favicon.svg" alt="" width={24} height={24} />
          Sluice
        </Link>
        <nav className="hidden gap-5 text-sm text-slate-600 md:flex" aria-label="Main">
          {links.map((link) => (
            <Link key={link.href} href={link.href} className="hover:text-slate-900">
              {link.label}
            </Link>
          ))}
        </nav>
        <div className="ml-auto hidden items-center gap-3 text-sm md:flex">
          {user ? (
            <>
              <span className="max-w-[16rem] truncate text-slate-700" data-testid="signed-in-user" title={user.email}>
                {user.email}
                <span className="ml-2 rounded-full bg-slate-100 px-2 py-0.5 text-xs text-slate-600">{user.role}</span>
              </span>
              <SignOutButton />
            </>
          ) : (
            <SignInLink />
          )}
        </div>
        <details className="relative ml-auto md:hidden" data-testid="mobile-menu">
          <summary className="cursor-pointer list-none rounded-md px-3 py-1.5 text-sm font-medium text-slate-700 ring-1 ring-slate-300">Menu</summary>
          <div className="absolute right-0 z-30 mt-2 w-64 space-y-1 rounded-xl border border-slate-200 bg-white p-2 shadow-lg">
            <nav className="flex flex-col text-sm" aria-label="Main">
              {links.map((link) => (
                <Link key={link.href} href={link.href} className="rounded-md px-3 py-2 text-slate-700 hover:bg-slate-50">
                  {link.label}
                </Link>
              ))}
            </nav>
            <div className="space-y-2 border-t border-slate-100 px-3 pt-2 text-sm">
              {user ? (
                <>
                  <p className="truncate text-slate-700" title={user.email}>
                    {user.email} <span className="rounded-full bg-slate-100 px-2 py-0.5 text-xs text-slate-600">{user.role}</span>
                  </p>
                  <SignOutButton />
                </>
              ) : (
                <SignInLink />
              )}
            </div>
          </div>
        </details>
      </div>
    </header>
  );
}

function SignInLink() {
  return (
    <Link href="/sign-in" className="inline-block rounded-md bg-brand-600 px-3 py-1.5 font-medium text-white hover:bg-brand-700">
      Sign in
    </Link>
  );
}
