import { ApiError } from "@/lib/core/errors";
import { skipComment } from "@/lib/explore/sql/scan";

/**
 * The first keyword of a statement, past whitespace, comments (`--…`, nested `/* … *\/`) and
 * opening parentheses. Pure; lower-case; null when there is no word.
 */
export function leadingKeyword(text: string): string | null {
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    const pastComment = skipComment(text, i);
    if (/\s/.test(ch) || ch === "(") {
      i += 1;
    } else if (pastComment > i) {
      i = pastComment;
    } else break;
  }
  const word = /^[A-Za-z_]+/.exec(text.slice(i));
  return word ? word[0].toLowerCase() : null;
}

/** Statements that only read and leave no session state behind once rolled back. */
const READ_KEYWORDS = new Set(["select", "with", "values", "table", "explain", "show"]);

/** Planned before running (EXPLAIN cannot wrap EXPLAIN or SHOW). */
export const PLANNABLE_KEYWORDS: ReadonlySet<string> = new Set(["select", "with", "values", "table"]);

/**
 * The sandbox's first layer: only query statements. The database (read-only role and
 * transaction) refuses writes anyway; this additionally refuses what a read-only transaction
 * allows but outlives its rollback or escapes it — PREPARE, DECLARE … WITH HOLD, LISTEN,
 * SET SESSION, COMMIT/ROLLBACK of our own transaction, DISCARD, RESET.
 */
export function requireReadStatement(text: string): string {
  const keyword = leadingKeyword(text);
  if (keyword === null) {
    throw new ApiError("bad_request", "The SQL is empty", { reason: "empty_statement" });
  }
  if (!READ_KEYWORDS.has(keyword)) {
    throw new ApiError("bad_request", `Only read queries may run here (SELECT, WITH, VALUES, TABLE, EXPLAIN, SHOW); got ${keyword.toUpperCase()}`, {
      reason: "statement_not_allowed",
      keyword,
    });
  }
  return keyword;
}
