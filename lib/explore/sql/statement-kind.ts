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

/**
 * Every other word a Postgres statement can begin with (gram.y's `stmt`): these are refused by
 * name. A word outside both lists begins no statement at all — a typo like `selec` — and only
 * Postgres' parser can say where the text goes wrong.
 */
const OTHER_STATEMENT_KEYWORDS = new Set(
  [
    "abort alter analyse analyze begin call checkpoint close cluster comment commit copy create",
    "deallocate declare delete discard do drop end execute fetch grant import insert listen load lock",
    "merge move notify prepare reassign refresh reindex release reset revoke rollback savepoint security",
    "set start truncate unlisten update vacuum",
  ]
    .join(" ")
    .split(" "),
);

/** Planned before running (EXPLAIN cannot wrap EXPLAIN or SHOW). */
export const PLANNABLE_KEYWORDS: ReadonlySet<string> = new Set(["select", "with", "values", "table"]);

export interface StatementCheck {
  keyword: string;
  /**
   * True when the first word begins no Postgres statement: the text is a syntax error, and the
   * sandbox has Postgres parse it (never run it) to report the error and its position.
   */
  unknown: boolean;
}

/** The refusal of a statement that is not a read, said by its keyword. */
export function notReadStatement(keyword: string): ApiError {
  return new ApiError("bad_request", `Only read queries may run here (SELECT, WITH, VALUES, TABLE, EXPLAIN, SHOW); got ${keyword.toUpperCase()}`, {
    reason: "statement_not_allowed",
    keyword,
  });
}

/**
 * The sandbox's first layer: only query statements. The database (read-only role and
 * transaction) refuses writes anyway; this additionally refuses what a read-only transaction
 * allows but outlives its rollback or escapes it — PREPARE, DECLARE … WITH HOLD, LISTEN,
 * SET SESSION, COMMIT/ROLLBACK of our own transaction, DISCARD, RESET. A word that begins no
 * statement passes as `unknown`, for Postgres' parser to refuse with its own message.
 */
export function checkStatement(text: string): StatementCheck {
  const keyword = leadingKeyword(text);
  if (keyword === null) {
    throw new ApiError("bad_request", "The SQL is empty", { reason: "empty_statement" });
  }
  if (READ_KEYWORDS.has(keyword)) return { keyword, unknown: false };
  if (OTHER_STATEMENT_KEYWORDS.has(keyword)) throw notReadStatement(keyword);
  return { keyword, unknown: true };
}
