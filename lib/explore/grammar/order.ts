import type { OrderTerm } from "@/lib/explore/grammar/ast";
import { splitJsonPath } from "@/lib/explore/grammar/json-path";
import { GRAMMAR_LIMITS } from "@/lib/explore/grammar/limits";
import { Cursor, readQuoted, splitTopLevel } from "@/lib/explore/grammar/scan";
import { ExploreError, show } from "@/lib/explore/errors";

function malformed(message: string, term: string): ExploreError {
  return new ExploreError("malformed_order", message, { term });
}

/** `customers(full_name)` at the start of a term: a related order on a to-one embed. */
const RELATED = /^\s*([^()".,]+)\(([^()]*)\)/;

/**
 * `col`, `col.desc`, `col.nullslast`, `col.asc.nullsfirst`; the column may be quoted or carry a
 * JSON path. `rel(col).desc` orders by a column of the to-one embed `rel` (checked when built).
 */
function parseTerm(raw: string): OrderTerm {
  const term = raw.trim();
  const related = RELATED.exec(term);
  const cursor = new Cursor(related ? related[2]!.trim() : term);
  const quoted = readQuoted(cursor);
  const written = quoted === null ? cursor.readUntil(".").trim() : quoted + (cursor.startsWith("->") ? cursor.readUntil(".") : "");
  if (written === "") throw malformed(`Missing column name in order term ${show(term)}`, term);
  if (related && !cursor.done) throw malformed(`Unexpected ${show(cursor.rest())} in order term ${show(term)}`, term);
  const { column, path } =
    quoted !== null && !written.slice(quoted.length).startsWith("->") ? { column: written, path: null } : splitJsonPath(written);
  const result: OrderTerm = path === null ? { column, direction: "asc", nulls: null } : { column, path, direction: "asc", nulls: null };
  if (related) {
    result.relation = related[1]!.trim();
    // The modifiers follow the closing parenthesis.
    return readModifiers(new Cursor(term.slice(related[0].length)), result, term);
  }
  return readModifiers(cursor, result, term);
}

function readModifiers(cursor: Cursor, result: OrderTerm, term: string): OrderTerm {
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
