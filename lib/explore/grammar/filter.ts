import { FILTER_OPS, IS_VALUES, type Filter, type FilterOp, type IsValue } from "@/lib/explore/grammar/ast";
import { Budget, GRAMMAR_LIMITS } from "@/lib/explore/grammar/limits";
import { Cursor, readQuoted } from "@/lib/explore/grammar/scan";
import { ExploreError, show } from "@/lib/explore/errors";

const OPS: ReadonlySet<string> = new Set(FILTER_OPS);
const IS: ReadonlySet<string> = new Set(IS_VALUES);

/** `[not.]op.` at the cursor. The value follows; its syntax depends on the operator. */
function readOperator(cursor: Cursor, column: string): { negated: boolean; op: FilterOp } {
  const negated = cursor.eat("not.");
  const name = cursor.readUntil(".(,)");
  if (cursor.peek() === "(") {
    throw new ExploreError("unsupported_feature", `Operator modifiers such as ${show(`${name}(any)`)} are not supported (column ${show(column)})`, {
      column,
      operator: name,
    });
  }
  if (name === "" || (!OPS.has(name) && cursor.peek() !== ".")) {
    throw new ExploreError("malformed_filter", `The filter on ${show(column)} must look like operator.value (e.g. eq.1); got ${show(cursor.text)}`, {
      column,
    });
  }
  if (!OPS.has(name)) {
    throw new ExploreError("unknown_operator", `Unknown operator ${show(name)} on column ${show(column)}; supported: ${FILTER_OPS.join(", ")}`, {
      column,
      operator: name,
    });
  }
  if (!cursor.eat(".")) {
    throw new ExploreError("malformed_filter", `Expected ${show(`${name}.value`)} in the filter on ${show(column)}`, { column, operator: name });
  }
  return { negated, op: name as FilterOp };
}

function toIsValue(text: string, column: string): IsValue {
  const value = text.toLowerCase();
  if (IS.has(value)) return value as IsValue;
  throw new ExploreError("bad_value", `Operator is on ${show(column)} accepts ${IS_VALUES.join(", ")}; got ${show(text)}`, {
    column,
    operator: "is",
    value: text,
  });
}

/**
 * An in-list `(a,b,"c,d")` at the cursor. Quoted elements may hold `,` and `)` (backslash
 * escapes `"` and `\`); a quote that is not followed by `,` or `)` is read as plain text, like
 * PostgREST. Unquoted elements are trimmed so `in.(1, 2)` works. `()` is the empty list.
 */
function readList(cursor: Cursor, column: string): string[] {
  cursor.skipSpaces();
  if (!cursor.eat("(")) {
    throw new ExploreError("malformed_list", `Operator in on ${show(column)} expects a list in parentheses, e.g. in.(1,2,3)`, { column });
  }
  const items: string[] = [];
  if (cursor.eat(")")) return items;
  for (;;) {
    const start = cursor.pos;
    const quoted = readQuoted(cursor);
    const next = cursor.peek();
    if (quoted !== null && (next === "," || next === ")")) {
      items.push(quoted);
    } else {
      cursor.pos = start;
      items.push(cursor.readUntil(",)").trim());
    }
    if (items.length > GRAMMAR_LIMITS.maxListItems) {
      throw new ExploreError("too_complex", `The in-list on ${show(column)} has more than ${GRAMMAR_LIMITS.maxListItems} items`, { column });
    }
    if (cursor.eat(")")) return items;
    if (!cursor.eat(",")) {
      throw new ExploreError("malformed_list", `Unterminated in-list on ${show(column)}: missing ")"`, {
        column,
      });
    }
  }
}

function build(column: string, negated: boolean, op: FilterOp, raw: string | string[]): Filter {
  if (op === "in") return { kind: "filter", column, negated, op, values: raw as string[] };
  if (op === "is") return { kind: "filter", column, negated, op, value: toIsValue(raw as string, column) };
  return { kind: "filter", column, negated, op, value: raw as string };
}

/** A top-level filter `column=[not.]op.value`; the value is everything after the operator. */
export function parseFilterParam(column: string, text: string, budget: Budget): Filter {
  const cursor = new Cursor(text);
  const { negated, op } = readOperator(cursor, column);
  let raw: string | string[];
  if (op === "in") {
    raw = readList(cursor, column);
    if (cursor.rest().trim() !== "") {
      throw new ExploreError("malformed_list", `Unexpected text after the in-list on ${show(column)}: ${show(cursor.rest())}`, { column });
    }
  } else {
    raw = cursor.rest();
  }
  budget.addFilter(Array.isArray(raw) ? raw.length : 1);
  return build(column, negated, op, raw);
}

/** `{…}` read as one unit so an array literal's commas do not end the condition. */
function readBraced(cursor: Cursor): string {
  const start = cursor.pos;
  let depth = 0;
  while (!cursor.done) {
    const ch = cursor.peek();
    cursor.pos += 1;
    if (ch === "{") depth += 1;
    else if (ch === "}" && --depth === 0) break;
  }
  return cursor.text.slice(start, cursor.pos) + cursor.readUntil(",)");
}

/**
 * A condition inside or=(…)/and=(…), after its column: `[not.]op.value`. Here `,` and `)` end
 * the value, so values holding them must be double-quoted.
 */
export function readFilterInLogic(cursor: Cursor, column: string, budget: Budget): Filter {
  const { negated, op } = readOperator(cursor, column);
  let raw: string | string[];
  if (op === "in") {
    raw = readList(cursor, column);
  } else {
    const start = cursor.pos;
    const quoted = readQuoted(cursor);
    const next = cursor.peek();
    if (quoted !== null && (next === "," || next === ")")) raw = quoted;
    else {
      cursor.pos = start;
      raw = cursor.peek() === "{" ? readBraced(cursor) : cursor.readUntil(",)");
    }
  }
  budget.addFilter(Array.isArray(raw) ? raw.length : 1);
  return build(column, negated, op, raw);
}
