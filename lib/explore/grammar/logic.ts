import type { Condition, Group } from "@/lib/explore/grammar/ast";
import { readFilterInLogic } from "@/lib/explore/grammar/filter";
import { Budget, GRAMMAR_LIMITS } from "@/lib/explore/grammar/limits";
import { Cursor, readName } from "@/lib/explore/grammar/scan";
import { ExploreError, show } from "@/lib/explore/errors";

/** Query keys that carry a logic tree, with what they mean. */
export const LOGIC_KEYS = {
  or: { op: "or", negated: false },
  and: { op: "and", negated: false },
  "not.or": { op: "or", negated: true },
  "not.and": { op: "and", negated: true },
} as const satisfies Record<string, { op: Group["op"]; negated: boolean }>;

export type LogicKey = keyof typeof LOGIC_KEYS;

const NESTED_PREFIXES = [
  { text: "not.and(", op: "and", negated: true },
  { text: "not.or(", op: "or", negated: true },
  { text: "and(", op: "and", negated: false },
  { text: "or(", op: "or", negated: false },
] as const;

function malformed(message: string, key: string): ExploreError {
  return new ExploreError("malformed_logic", message, { parameter: key });
}

/**
 * `(cond,cond,…)` at the cursor, where a cond is `column.[not.]op.value` or a nested
 * `[not.]and(…)` / `[not.]or(…)`. A column literally named "and"/"or" is still reachable:
 * only the name followed by "(" opens a group.
 */
function readGroup(cursor: Cursor, group: Omit<Group, "kind" | "conditions">, depth: number, key: string, budget: Budget): Group {
  if (depth > GRAMMAR_LIMITS.maxDepth) {
    throw new ExploreError("too_complex", `Logic groups in ${show(key)} nest deeper than ${GRAMMAR_LIMITS.maxDepth} levels`, { parameter: key });
  }
  if (!cursor.eat("(")) throw malformed(`${show(key)} expects a list in parentheses, e.g. (a.eq.1,b.gt.2)`, key);
  const conditions: Condition[] = [];
  for (;;) {
    cursor.skipSpaces();
    const nested = NESTED_PREFIXES.find((p) => cursor.startsWith(p.text));
    if (nested) {
      cursor.pos += nested.text.length - 1;
      conditions.push(readGroup(cursor, { op: nested.op, negated: nested.negated }, depth + 1, key, budget));
    } else {
      const column = readName(cursor, ".,()", show(key));
      if (!cursor.eat(".")) {
        throw malformed(`Expected column.operator.value in ${show(key)} after ${show(column)}`, key);
      }
      conditions.push(readFilterInLogic(cursor, column, budget));
    }
    if (cursor.eat(")")) break;
    if (!cursor.eat(",")) {
      throw malformed(
        cursor.done
          ? `Unbalanced parentheses in ${show(key)}: missing ")"`
          : `Unexpected ${show(cursor.rest())} in ${show(key)}; quote values containing , ( ) with "…"`,
        key,
      );
    }
  }
  return { kind: "group", ...group, conditions };
}

/** `or=(…)`, `and=(…)`, `not.or=(…)`, `not.and=(…)`. */
export function parseLogicParam(key: LogicKey, text: string, budget: Budget): Group {
  const cursor = new Cursor(text);
  cursor.skipSpaces();
  if (cursor.startsWith("()")) throw malformed(`${show(key)} needs at least one condition`, key);
  const group = readGroup(cursor, LOGIC_KEYS[key], 1, key, budget);
  if (cursor.rest().trim() !== "") {
    throw malformed(`Unexpected text after the closing ")" of ${show(key)}: ${show(cursor.rest())}`, key);
  }
  return group;
}
