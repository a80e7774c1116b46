import { Spinner } from "@/components/ui/spinner";

// Scoped to the table list by its route group: above /explore/<relation> a loading boundary would
// start streaming before the page can answer 404 for a relation that does not exist.
export default function ExploreLoading() {
  return (
    <div className="space-y-6">
      <div className="h-8 w-48 animate-pulse rounded bg-slate-200" />
      <div className="space-y-3">
        {[0, 1, 2].map((index) => (
          <div key={index} className="h-16 animate-pulse rounded-xl border border-slate-200 bg-white" />
        ))}
      </div>
      <Spinner label="Reading the catalog…" />
    </div>
  );
}
