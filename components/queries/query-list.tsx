import Link from "next/link";
import { formatWhen } from "@/components/format";
import { Badge } from "@/components/ui/badge";
import { TableShell, TD, TH } from "@/components/ui/table-shell";
import type { SavedQueryView } from "@/lib/explore/saved-queries";
import { DeleteQueryButton } from "@/components/queries/delete-query-button";

/** Saved queries the caller can see: their own first in spirit (marked "yours"), shared ones by others. */
export function QueryList({ queries, userId }: { queries: SavedQueryView[]; userId: string }) {
  return (
    <TableShell label="Saved queries">
      <table className="min-w-full text-sm" data-testid="query-list">
        <thead>
          <tr>
            <th className={TH}>Name</th>
            <th className={TH}>Owner</th>
            <th className={TH}>Parameters</th>
            <th className={TH}>Cache</th>
            <th className={TH}>Updated</th>
            <th className={TH}>
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {queries.map((query) => (
            <tr key={query.id} className="hover:bg-slate-50">
              <td className={`${TD} whitespace-normal`}>
                <Link href={`/queries/${query.id}`} className="font-medium text-brand-700 hover:underline">
                  {query.name}
                </Link>
                {query.shared ? (
                  <span className="ml-2">
                    <Badge tone="brand">shared</Badge>
                  </span>
                ) : (
                  <span className="ml-2">
                    <Badge>private</Badge>
                  </span>
                )}
                {query.description ? <p className="mt-0.5 max-w-md text-xs text-slate-500">{query.description}</p> : null}
              </td>
              <td className={`${TD} text-slate-600`}>{query.ownerId === userId ? "you" : (query.ownerEmail ?? "—")}</td>
              <td className={`${TD} font-mono text-xs text-slate-600`}>
                {query.parameters.length ? query.parameters.map((p) => `${p.name}:${p.type}`).join(", ") : "—"}
              </td>
              <td className={`${TD} text-slate-600`}>{query.cacheMaxAgeS > 0 ? `${query.cacheMaxAgeS} s` : "off"}</td>
              <td className={`${TD} text-slate-600`}>{formatWhen(query.updatedAt)}</td>
              <td className={`${TD} text-right`}>
                <span className="inline-flex items-center gap-2">
                  <Link href={`/queries/${query.id}`} className="text-sm font-medium text-brand-600 hover:text-brand-700">
                    Run
                  </Link>
                  {query.canEdit ? (
                    <>
                      <Link href={`/queries/${query.id}/edit`} className="text-sm font-medium text-slate-600 hover:text-slate-900">
                        Edit
                      </Link>
                      <DeleteQueryButton id={query.id} name={query.name} />
                    </>
                  ) : null}
                </span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableShell>
  );
}
