import "server-only";
import type { CsvFormulas } from "@/lib/explore/output/raw-values";

/**
 * `Accept: text/csv; formulas=raw` opts out of formula escaping (lib/explore/output/raw-values.ts):
 * for programs that read the CSV, not spreadsheets. Anything else escapes.
 */
export function csvFormulas(accept: string | null): CsvFormulas {
  for (const part of (accept ?? "").split(",")) {
    const [type = "", ...params] = part
      .toLowerCase()
      .split(";")
      .map((p) => p.trim());
    if (type === "text/csv" && params.some((p) => p.replace(/\s+/g, "") === "formulas=raw")) return "raw";
  }
  return "escape";
}

/** What a table read answers with: a JSON array, one JSON object (PostgREST's singular), or CSV. */
export type TableMedia = "json" | "object" | "csv";

/** PostgREST's singular media type, with and without the `+json` suffix. */
export const OBJECT_MEDIA_TYPES = ["application/vnd.pgrst.object+json", "application/vnd.pgrst.object"] as const;

const MEDIA_OF: Record<string, TableMedia> = {
  "text/csv": "csv",
  "application/json": "json",
  [OBJECT_MEDIA_TYPES[0]]: "object",
  [OBJECT_MEDIA_TYPES[1]]: "object",
};

/**
 * The media type the client ranks highest among those we serve (quality, then the order written);
 * JSON when it names none of them (`*∕*`, no header) — unknown types are not refused.
 */
export function chooseMedia(accept: string | null): TableMedia {
  if (!accept) return "json";
  let best: { media: TableMedia; weight: number } | null = null;
  for (const part of accept.split(",")) {
    const [type = "", ...params] = part.trim().toLowerCase().split(";");
    const media = MEDIA_OF[type.trim()];
    if (!media) continue;
    const q = Number(
      params
        .map((p) => p.trim())
        .find((p) => p.startsWith("q="))
        ?.slice(2) ?? "1",
    );
    const weight = Number.isFinite(q) ? q : 0;
    if (weight > 0 && (best === null || weight > best.weight)) best = { media, weight };
  }
  return best?.media ?? "json";
}

/** True when the client prefers CSV: `Accept: text/csv` (alone or ranked above JSON). */
export function wantsCsv(accept: string | null): boolean {
  return chooseMedia(accept) === "csv";
}
