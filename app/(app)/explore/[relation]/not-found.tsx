import Link from "next/link";
import { EmptyState } from "@/components/ui/empty-state";

/** `/explore/<relation>` for a relation the read-only role cannot see: answered with HTTP 404. */
export default function RelationNotFound() {
  return (
    <EmptyState
      title="No such table or view"
      action={
        <Link href="/explore" className="text-sm font-medium text-brand-600">
          Back to all tables
        </Link>
      }
    >
      Nothing by that name is visible to the read-only role. It may have been renamed, or it is outside the data schemas.
    </EmptyState>
  );
}
