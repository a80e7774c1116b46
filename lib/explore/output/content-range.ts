import "server-only";
import { ExploreError } from "@/lib/explore/errors";

/**
 * PostgREST's paging answer: `Content-Range: 0-24/1234` (`*` for an unknown total, `*∕1234` for
 * an empty page), 206 when the page is part of a known total, 416 when it starts past the end.
 */
export function contentRange(offset: number, rows: number, total: number | null): string {
  const size = total === null ? "*" : String(total);
  return rows > 0 ? `${offset}-${offset + rows - 1}/${size}` : `*/${size}`;
}

export function pageStatus(rows: number, total: number | null): 200 | 206 {
  return total !== null && rows < total ? 206 : 200;
}

/** Throws the 416 (with `Content-Range: *∕total`) for a window that starts past the last row. */
export function assertSatisfiable(offset: number, total: number | null): void {
  if (total === null || offset <= total) return;
  const error = new ExploreError("range_not_satisfiable", `The range starts at row ${offset}, past the ${total} rows there are`, {
    offset,
    total,
  });
  Object.assign(error.headers, { "Content-Range": `*/${total}` });
  throw error;
}

/** The rows a window will hold once the total is known (for CSV, whose headers go out first). */
export function expectedRows(offset: number, limit: number, total: number): number {
  return Math.max(0, Math.min(limit, total - offset));
}
