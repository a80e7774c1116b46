import type { Metadata } from "next";
import { AccessPanel } from "@/components/auth/access-panel";
import { QueryList } from "@/components/queries/query-list";
import { LinkButton } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { ErrorPanel } from "@/components/ui/error-panel";
import { PageHeader } from "@/components/ui/page-header";
import { toApiError } from "@/lib/server/6-to-api-error";
import { roleAtLeast } from "@/lib/core/caller";
import { pageAccess } from "@/lib/server/8-page-guards";
import { listVisibleQueries, type SavedQueryView } from "@/lib/explore/saved-queries";

export const metadata: Metadata = { title: "Saved queries" };

export default async function QueriesPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const access = await pageAccess({ path: "/queries" });
  if (access.status !== "ok") return <AccessPanel kind={access.status} />;
  const { caller } = access;
  const { deleted } = await searchParams;
  const canWrite = roleAtLeast(caller.role, "analyst");

  let queries: SavedQueryView[] | null = null;
  let failure: string | null = null;
  try {
    queries = await listVisibleQueries({ userId: caller.userId, role: caller.role });
  } catch (error) {
    failure = toApiError(error).message;
  }

  return (
    <div className="space-y-6">
      <PageHeader
        title="Saved queries"
        description="Your queries and the ones your team shared. Each runs from its page with a form for its parameters, or from scripts through the API with a token."
        actions={
          canWrite ? (
            <LinkButton href="/queries/new" variant="primary">
              New query
            </LinkButton>
          ) : null
        }
      />
      {deleted ? (
        <p role="status" className="rounded-lg bg-emerald-50 px-3 py-2 text-sm text-emerald-700 ring-1 ring-emerald-200">
          The query was deleted.
        </p>
      ) : null}
      {failure ? <ErrorPanel title="The saved queries could not be loaded">{failure}</ErrorPanel> : null}
      {queries && queries.length === 0 ? (
        <EmptyState title="No saved queries yet" action={canWrite ? <LinkButton href="/sql">Open the SQL console</LinkButton> : undefined}>
          {canWrite
            ? "Write a query in the SQL console and save it, or start a new one here."
            : "When an analyst shares a query with the team, it appears here for you to run."}
        </EmptyState>
      ) : null}
      {queries && queries.length > 0 ? <QueryList queries={queries} userId={caller.userId} /> : null}
    </div>
  );
}
