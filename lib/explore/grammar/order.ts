import type { OrderTerm } from "@/lib/explore/grammar/ast";
import { GRAMMAR_LIMITS } from "@/lib/explore/grammar/limits";
import { Cursor, readQuoted, splitTopLevel } from "@/lib/explore/grammar/scan";
import { ExploreError, show } from "@/lib/explore/errors";

function malformed(message: string, term: string): ExploreError {
  return new ExploreError("malformed_order", message, { term });
}

/** `col`, `col.desc`, `col.nullslast`, `col.asc.nullsfirst`; the column may be quoted. */
function parseTerm(raw: string): OrderTerm {
  const term = raw.trim();
  const cursor = new Cursor(term);
  const column = readQuoted(cursor) ?? cursor.readUntil(".").trim();
  if (column === "") throw malformed(`Missing column name in order term ${show(term)}`, term);
  if (column.includes("->")) {
    throw new ExploreError("unsupported_feature", `Ordering by JSON paths is not supported: ${show(term)}`, {
      term,
    });
  }
  const result: OrderTerm = { column, direction: "asc", nulls: null };
  let seenDirection = false;
  while (!cursor.done) {
    if (!cursor.eat(".")) throw malformed(`Unexpected ${show(cursor.rest())} in order term ${show(term)}`, term);
    const modifier = cursor.readUntil(".");
    if ((modifier === "asc" || modifier === "desc") && !seenDirection && result.nulls === null) {
      result.direction = modifier;
      seenDirection = true;
    } else if ((modifier === "nullsfirst" || modifier === "nullslast") && result.nulls === null) {
      result.nulls = modifier === "nullsfirst" ? "first" : "last";
    } else {
      throw malformed(`Bad order modifier ${show(modifier)} in ${show(term)}; expected column[.asc|.desc][.nullsfirst|.nullslast]`, term);
    }
  }
  return result;
}

export function parseOrderParam(text: string): OrderTerm[] {
  if (text.trim() === "") throw malformed("order= lists no columns", text);
  const parts = splitTopLevel(text);
  if (parts.length > GRAMMAR_LIMITS.maxOrderTerms) {
    throw new ExploreError("too_complex", `order= has more than ${GRAMMAR_LIMITS.maxOrderTerms} terms`);
  }
  return parts.map(parseTerm);
}
