import type { JsonPath } from "@/lib/explore/grammar/ast";
import { ExploreError, show } from "@/lib/explore/errors";

/** Steps of one JSON path: deep enough for real documents, bounded for hostile ones. */
const MAX_STEPS = 16;

/**
 * `props->a->>b` → the column `props` and the path `-> 'a'`, `->> 'b'`; a step that is an
 * integer (`arr->0`, `arr->-1`) indexes an array. `->>` (text) may only be the last step, as in
 * PostgREST. A name without an arrow has no path. Keys and indexes become bound values.
 */
export function splitJsonPath(text: string): { column: string; path: JsonPath | null } {
  const at = text.indexOf("->");
  if (at < 0) return { column: text, path: null };
  const column = text.slice(0, at).trim();
  const parts = text.slice(at).split(/(->>?)/);
  const path: JsonPath = [];
  // parts: ["", "->", "a", "->>", "b"]
  for (let i = 1; i < parts.length; i += 2) {
    const arrow = parts[i] as "->" | "->>";
    const key = (parts[i + 1] ?? "").trim();
    if (key === "" || column === "") throw malformed(text, "an empty name or key");
    if (path.length > 0 && path[path.length - 1]!.arrow === "->>") throw malformed(text, "->> only as the last step");
    path.push({ arrow, key: /^-?\d{1,9}$/.test(key) ? Number(key) : key });
  }
  if (path.length > MAX_STEPS) throw new ExploreError("too_complex", `JSON path ${show(text)} has more than ${MAX_STEPS} steps`);
  return { column, path };
}

function malformed(text: string, problem: string): ExploreError {
  return new ExploreError("malformed_filter", `Malformed JSON path ${show(text)}: ${problem}`, { path: text });
}

/** The key PostgREST gives a selected path: its last step (`props->>kind` → "kind"). */
export function pathOutputName(path: JsonPath): string {
  return String(path[path.length - 1]!.key);
}
