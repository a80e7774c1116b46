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

/** True when the client prefers CSV: `Accept: text/csv` (alone or ranked above JSON). */
export function wantsCsv(accept: string | null): boolean {
  if (!accept) return false;
  let csv = -1;
  let json = -1;
  for (const part of accept.split(",")) {
    const [type = "", ...params] = part.trim().toLowerCase().split(";");
    const q = Number(
      params
        .map((p) => p.trim())
        .find((p) => p.startsWith("q="))
        ?.slice(2) ?? "1",
    );
    const weight = Number.isFinite(q) ? q : 0;
    if (type.trim() === "text/csv") csv = Math.max(csv, weight);
    if (type.trim() === "application/json") json = Math.max(json, weight);
  }
  return csv > 0 && csv >= json;
}
