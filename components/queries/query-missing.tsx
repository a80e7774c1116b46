import Link from "next/link";
import { EmptyState } from "@/components/ui/empty-state";
import { ErrorPanel } from "@/components/ui/error-panel";
import type { LoadedQuery } from "@/components/queries/load-query";

export function QueryMissing({ loaded }: { loaded: Exclude<LoadedQuery, { status: "ok" }> }) {
  if (loaded.status === "failed") return <ErrorPanel title="The saved query could not be loaded">{loaded.message}</ErrorPanel>;
  return (
    <EmptyState
      title="No such saved query"
      action={
        <Link href="/queries" className="text-sm font-medium text-brand-600">
          All saved queries
        </Link>
      }
    >
      It was deleted, or it is private to someone else.
    </EmptyState>
  );
}
