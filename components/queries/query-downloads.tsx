import { buttonClass } from "@/components/ui/button";

/** Download links for a saved query's run with the values it ran with; the browser streams the file to disk. */
export function QueryDownloads({ id, query }: { id: string; query: string }) {
  return (
    <span className="flex items-center gap-2" data-testid="result-downloads">
      {(["csv", "json"] as const).map((format) => (
        <a
          key={format}
          href={`/queries/${encodeURIComponent(id)}/export/${format}${query ? `?${query}` : ""}`}
          download
          className={buttonClass("secondary", "sm")}
        >
          Download {format.toUpperCase()}
        </a>
      ))}
    </span>
  );
}
