import { COMPARISON_OPS, CONTAINMENT_OPS, FILTER_OPS, FTS_OPS, IS_VALUES, PATTERN_OPS } from "@/lib/explore/grammar/ast";
import type { Filter, FilterOp, FtsOp, IsValue, Quantifier } from "@/lib/explore/grammar/ast";
import { splitJsonPath } from "@/lib/explore/grammar/json-path";
import { Budget, GRAMMAR_LIMITS } from "@/lib/explore/grammar/limits";
import { Cursor, readQuoted } from "@/lib/explore/grammar/scan";
import { ExploreError, show } from "@/lib/explore/errors";

const OPS: ReadonlySet<string> = new Set(FILTER_OPS);
const IS: ReadonlySet<string> = new Set(IS_VALUES);

const QUANTIFIABLE: ReadonlySet<string> = new Set([...COMPARISON_OPS, ...PATTERN_OPS]);
const FTS: ReadonlySet<string> = new Set(FTS_OPS);
const CONTAINMENT: ReadonlySet<string> = new Set(CONTAINMENT_OPS);

interface Operator {
  negated: boolean;
  op: FilterOp;
  /** `(any)` / `(all)` on comparison and pattern operators. */
  quantifier: Quantifier | null;
  /** `fts(english)`: the text search configuration, bound as a value. */
  language: string | null;
}

/** `(modifier)` after an operator name: any/all, or a full-text search language. */
function readModifier(cursor: Cursor, column: string, name: string): { quantifier: Quantifier | null; language: string | null } {
  cursor.eat("(");
  const text = cursor.readUntil(")");
  if (!cursor.eat(")")) {
    throw new ExploreError("malformed_filter", `Unterminated modifier after ${show(name)} on ${show(column)}`, { column, operator: name });
  }
  if (FTS.has(name) && /^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(text)) return { quantifier: null, language: text };
  if (QUANTIFIABLE.has(name) && (text === "any" || text === "all")) return { quantifier: text, language: null };
  throw new ExploreError("malformed_filter", `Modifier ${show(`${name}(${text})`)} on ${show(column)} is not one PostgREST has`, {
    column,
    operator: name,
    hint: "any/all after eq, neq, gt, gte, lt, lte, like, ilike, match, imatch; a language after fts, plfts, phfts, wfts",
  });
}

/** `[not.]op[(modifier)].` at the cursor. The value follows; its syntax depends on the operator. */
function readOperator(cursor: Cursor, column: string): Operator {
  const negated = cursor.eat("not.");
  const name = cursor.readUntil(".(,)");
  if (name === "" || (!OPS.has(name) && cursor.peek() !== "." && cursor.peek() !== "(")) {
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
  const modifier = cursor.peek() === "(" ? readModifier(cursor, column, name) : { quantifier: null, language: null };
  if (!cursor.eat(".")) {
    throw new ExploreError("malformed_filter", `Expected ${show(`${name}.value`)} in the filter on ${show(column)}`, { column, operator: name });
  }
  return { negated, op: name as FilterOp, ...modifier };
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

function build(column: string, { negated, op, quantifier, language }: Operator, raw: string | string[]): Filter {
  if (op === "in") return { kind: "filter", column, negated, op, values: raw as string[] };
  if (op === "is") return { kind: "filter", column, negated, op, value: toIsValue(raw as string, column) };
  const value = raw as string;
  if (FTS.has(op)) return { kind: "filter", column, negated, op: op as FtsOp, value, language };
  if (op === "isdistinct" || !QUANTIFIABLE.has(op))
    return { kind: "filter", column, negated, op: op as Exclude<FilterOp, "in" | "is">, value } as Filter;
  if (quantifier !== null && !/^\{.*\}$/s.test(value.trim())) {
    throw new ExploreError("malformed_list", `${op}(${quantifier}) on ${show(column)} expects an array literal, e.g. {a,b}`, {
      column,
      operator: op,
    });
  }
  return quantifier === null
    ? { kind: "filter", column, negated, op: op as "eq", value }
    : { kind: "filter", column, negated, op: op as "eq", value, quantifier };
}

/** A top-level filter `column=[not.]op.value`; the value is everything after the operator. */
/** The filter with the JSON path of its column split off, if it has one. */
function withPath(written: string, make: (column: string) => Filter): Filter {
  const { column, path } = splitJsonPath(written);
  const filter = make(column);
  return path === null ? filter : { ...filter, path };
}

export function parseFilterParam(written: string, text: string, budget: Budget): Filter {
  return withPath(written, (column) => parseFilterBody(column, text, budget));
}

function parseFilterBody(column: string, text: string, budget: Budget): Filter {
  const cursor = new Cursor(text);
  const operator = readOperator(cursor, column);
  let raw: string | string[];
  if (operator.op === "in") {
    raw = readList(cursor, column);
    if (cursor.rest().trim() !== "") {
      throw new ExploreError("malformed_list", `Unexpected text after the in-list on ${show(column)}: ${show(cursor.rest())}`, { column });
    }
  } else {
    raw = cursor.rest();
  }
  budget.addFilter(Array.isArray(raw) ? raw.length : 1);
  return build(column, operator, raw);
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

/** A range literal `[1,3)` read as one unit: its comma is inside, it ends at the first `]` or `)`. */
function readRangeLiteral(cursor: Cursor): string {
  const start = cursor.pos;
  cursor.pos += 1;
  while (!cursor.done && cursor.peek() !== "]" && cursor.peek() !== ")") cursor.pos += 1;
  if (!cursor.done) cursor.pos += 1;
  return cursor.text.slice(start, cursor.pos) + cursor.readUntil(",)");
}

/**
 * A condition inside or=(…)/and=(…), after its column: `[not.]op.value`. Here `,` and `)` end
 * the value, so values holding them must be double-quoted.
 */
export function readFilterInLogic(cursor: Cursor, written: string, budget: Budget): Filter {
  return withPath(written, (column) => readFilterBodyInLogic(cursor, column, budget));
}

function readFilterBodyInLogic(cursor: Cursor, column: string, budget: Budget): Filter {
  const operator = readOperator(cursor, column);
  let raw: string | string[];
  if (operator.op === "in") {
    raw = readList(cursor, column);
  } else {
    const start = cursor.pos;
    const quoted = readQuoted(cursor);
    const next = cursor.peek();
    if (quoted !== null && (next === "," || next === ")")) raw = quoted;
    else {
      cursor.pos = start;
      const range = CONTAINMENT.has(operator.op) && (cursor.peek() === "[" || cursor.peek() === "(");
      raw = range ? readRangeLiteral(cursor) : cursor.peek() === "{" ? readBraced(cursor) : cursor.readUntil(",)");
    }
  }
  budget.addFilter(Array.isArray(raw) ? raw.length : 1);
  return build(column, operator, raw);
}
