import { ExploreError } from "@/lib/explore/errors";

/**
 * Bounds on request size. The parser recurses over nested groups and the builder emits one
 * placeholder per value, so without bounds a crafted URL could overflow the stack or exceed
 * Postgres' 65535-parameter limit — both would surface as 500s instead of a clear 400.
 */
export const GRAMMAR_LIMITS = {
  /** Nesting of and(…)/or(…) groups inside one logic parameter. */
  maxDepth: 8,
  /** Leaf filters across the whole request. */
  maxFilters: 200,
  /** Items of one in.(…) list. */
  maxListItems: 1000,
  /** Bound values across the whole request. */
  maxValues: 5000,
  /** Items of select= and order=. */
  maxSelectItems: 500,
  maxOrderTerms: 32,
  /** Embedded resources in one select=, and how deep they nest. */
  maxEmbeds: 8,
  maxEmbedDepth: 3,
} as const;

/** Counts what a request uses, so the limits apply across all of its parameters. */
export class Budget {
  private filters = 0;
  private values = 0;

  addFilter(valueCount: number): void {
    this.filters += 1;
    this.values += valueCount;
    if (this.filters > GRAMMAR_LIMITS.maxFilters) {
      throw new ExploreError("too_complex", `Too many filters (at most ${GRAMMAR_LIMITS.maxFilters})`);
    }
    if (this.values > GRAMMAR_LIMITS.maxValues) {
      throw new ExploreError("too_complex", `Too many filter values (at most ${GRAMMAR_LIMITS.maxValues})`);
    }
  }
}
