import type { CountMode, Handling, Page } from "@/lib/explore/grammar/ast";
import { parseNonNegativeInt } from "@/lib/explore/grammar/scan";
import { ExploreError, show } from "@/lib/explore/errors";

export function parseLimitParam(text: string): number {
  const value = parseNonNegativeInt(text.trim());
  if (value === null) {
    throw new ExploreError("bad_limit", `limit must be a non-negative integer; got ${show(text)}`, {
      value: text,
    });
  }
  return value;
}

export function parseOffsetParam(text: string): number {
  const value = parseNonNegativeInt(text.trim());
  if (value === null) {
    throw new ExploreError("bad_offset", `offset must be a non-negative integer; got ${show(text)}`, {
      value: text,
    });
  }
  return value;
}

export interface ItemRange {
  from: number;
  /** Inclusive; null for an open range such as `10-`. */
  to: number | null;
}

/**
 * The `Range` header in items: `0-24`, `10-`, or with the unit spelled `items=0-24`. Suffix
 * ranges (`-5`) and multiple ranges have no sensible meaning for a row window and are refused.
 */
export function parseRangeHeader(header: string | null | undefined): ItemRange | null {
  if (header === null || header === undefined || header.trim() === "") return null;
  let text = header.trim();
  const unit = /^([A-Za-z-]+)=/.exec(text);
  if (unit) {
    if (unit[1]?.toLowerCase() !== "items") {
      throw new ExploreError("malformed_range", `Range unit ${show(unit[1] ?? "")} is not supported; use items`, {
        range: header,
      });
    }
    text = text.slice(unit[0].length).trim();
  }
  const match = /^(\d+)-(\d*)$/.exec(text);
  const from = match ? parseNonNegativeInt(match[1] ?? "") : null;
  const to = match && match[2] !== "" ? parseNonNegativeInt(match[2] ?? "") : null;
  if (!match || from === null || (match[2] !== "" && to === null)) {
    throw new ExploreError("malformed_range", `Malformed Range header ${show(header)}; expected e.g. 0-24`, {
      range: header,
    });
  }
  if (to !== null && to < from) {
    throw new ExploreError("range_not_satisfiable", `Range ${show(header)} ends before it starts`, {
      range: header,
    });
  }
  return { from, to };
}

/**
 * limit/offset and the Range header combined: the later start wins, the Range end bounds the
 * window, and limit caps the count from that start — so `limit=5` with `Range: 10-` reads rows
 * 10–14 (PostgREST would intersect 0–4 with 10–∞ and return nothing). Conflicting windows
 * (`offset=20`, `Range: 0-9`) give an empty page, not an error.
 */
export function combinePage(limit: number | null, offset: number | null, range: ItemRange | null): Page {
  const start = Math.max(offset ?? 0, range?.from ?? 0);
  const byRange = range?.to == null ? null : Math.max(0, range.to - start + 1);
  if (limit === null) return { offset: start, limit: byRange };
  return { offset: start, limit: byRange === null ? limit : Math.min(limit, byRange) };
}

/** The preferences PostgREST 12 recognises, by name, with the values it accepts (its Preferences.hs). */
const KNOWN_PREFERENCES: Record<string, (value: string) => boolean> = {
  count: (v) => v === "exact" || v === "planned" || v === "estimated",
  handling: (v) => v === "strict" || v === "lenient",
  return: (v) => v === "representation" || v === "minimal" || v === "headers-only",
  resolution: (v) => v === "merge-duplicates" || v === "ignore-duplicates",
  params: (v) => v === "single-object",
  tx: (v) => v === "commit" || v === "rollback",
  missing: (v) => v === "default" || v === "null",
  "max-affected": (v) => /^\d{1,16}$/.test(v),
};

export interface Preferences {
  count: CountMode | null;
  handling: Handling | null;
}

/**
 * The `Prefer` header (RFC 7240: comma-separated, `;` parameters) read as PostgREST 12 reads it:
 * the first value of each preference wins; on a read only `count` changes the answer
 * (`return`, `tx`, `missing`, `max-affected`… are accepted and have nothing to do). A preference
 * PostgREST does not know — `count=none`, a misspelt value, `timezone=` (not supported here) — is
 * ignored, unless `handling=strict` asks for a 400 listing them (PostgREST's PGRST122).
 */
export function parsePreferHeader(header: string | null | undefined): Preferences {
  const found: Record<string, string> = {};
  const invalid: string[] = [];
  for (const raw of (header ?? "").split(",")) {
    const part = raw.trim();
    if (part === "") continue;
    const [token = "", ...rest] = (part.split(";")[0] ?? "").split("=");
    const name = token.trim().toLowerCase();
    const value = rest
      .join("=")
      .trim()
      .replace(/^"(.*)"$/, "$1")
      .toLowerCase();
    const accepts = Object.hasOwn(KNOWN_PREFERENCES, name) ? KNOWN_PREFERENCES[name] : undefined;
    if (!accepts?.(value)) invalid.push(part);
    else found[name] ??= value;
  }
  const handling = (found.handling as Handling | undefined) ?? null;
  if (handling === "strict" && invalid.length > 0) {
    throw new ExploreError("bad_prefer", "Invalid preferences given with handling=strict", {
      pgrstCode: "PGRST122",
      hint: `Invalid preferences: ${invalid.join(", ")}`,
      prefer: header,
    });
  }
  return { count: (found.count as CountMode | undefined) ?? null, handling };
}
