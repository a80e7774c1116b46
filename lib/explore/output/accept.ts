import "server-only";
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
