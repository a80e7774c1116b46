import Link from "next/link";
import { formatWhen } from "@/components/format";
import { QueryHistory } from "@/components/sql/query-history";
import { Badge } from "@/components/ui/badge";
import { ErrorPanel } from "@/components/ui/error-panel";
import type { HistoryEntry } from "@/lib/explore/history";
import type { SavedQueryView } from "@/lib/explore/saved-queries";

export interface Shortcut {
  href: string;
  title: string;
  text: string;
}

/**
 * The home page of a signed-in user: where to start (explore, the console, a new query — each as
 * far as the role allows), what they ran last, and the saved queries they can run.
 */
export function SignedInHome({
  email,
  shortcuts,
  history,
  queries,
  failure,
}: {
  email: string;
  shortcuts: Shortcut[];
  history: HistoryEntry[] | null;
  queries: SavedQueryView[] | null;
  failure: string | null;
}) {
  return (
    <div className="space-y-8">
      <section className="space-y-1">
        <h1 className="text-2xl font-semibold tracking-tight">Welcome back</h1>
        <p className="text-sm break-all text-slate-600">Signed in as {email}.</p>
      </section>

      <nav aria-label="Shortcuts" className="grid gap-3 sm:grid-cols-3">
        {shortcuts.map((shortcut) => (
          <Link key={shortcut.href} href={shortcut.href} className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm hover:border-brand-500">
            <span className="font-semibold text-brand-700">{shortcut.title}</span>
            <span className="mt-1 block text-sm text-slate-600">{shortcut.text}</span>
          </Link>
        ))}
      </nav>

      {failure ? <ErrorPanel title="Your queries could not be loaded">{failure}</ErrorPanel> : null}
      <div className="grid gap-6 lg:grid-cols-2">
        {history ? <QueryHistory entries={history} /> : null}
        {queries ? (
          <section className="rounded-xl border border-slate-200 bg-white shadow-sm" aria-label="Saved queries">
            <h2 className="flex items-center justify-between border-b border-slate-200 px-4 py-2 text-sm font-semibold text-slate-700">
              Saved queries
              <Link href="/queries" className="text-xs font-medium text-brand-700 hover:text-brand-800">
                All queries
              </Link>
            </h2>
            {queries.length === 0 ? (
              <p className="px-4 py-3 text-sm text-slate-500">None yet: queries you save, and the ones your team shares, appear here.</p>
            ) : (
              <ul className="divide-y divide-slate-100" data-testid="home-queries">
                {queries.map((query) => (
                  <li key={query.id} className="flex flex-wrap items-center gap-x-3 gap-y-1 px-4 py-2 text-sm">
                    <Link href={`/queries/${query.id}`} className="min-w-0 flex-1 truncate font-medium text-brand-700 hover:text-brand-800">
                      {query.name}
                    </Link>
                    {query.shared ? <Badge tone="brand">shared</Badge> : <Badge>private</Badge>}
                    <span className="text-xs whitespace-nowrap text-slate-500">{formatWhen(query.updatedAt)}</span>
                  </li>
                ))}
              </ul>
            )}
          </section>
        ) : null}
      </div>
    </div>
  );
}
