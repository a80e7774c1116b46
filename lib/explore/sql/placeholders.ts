import { skipComment } from "@/lib/explore/sql/scan";

/**
 * Finds `{{name}}` placeholders in SQL text outside string literals, quoted identifiers,
 * dollar-quoted bodies and comments — where a placeholder would change what a literal says
 * rather than bind a value. Pure.
 */
export interface Placeholder {
  name: string;
  start: number;
  end: number;
}

const PLACEHOLDER = /^\{\{\s*([A-Za-z_][A-Za-z0-9_]{0,62})\s*\}\}/;

export function findPlaceholders(text: string): Placeholder[] {
  const found: Placeholder[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    const pastComment = skipComment(text, i);
    if (ch === "'" || ch === '"') {
      // '' and "" escape the quote inside; E'…' backslash escapes are handled by skipping \x.
      const escapes = ch === "'" && /[eE]/.test(text[i - 1] ?? "") && !/[\w$]/.test(text[i - 2] ?? "");
      i += 1;
      while (i < text.length) {
        if (escapes && text[i] === "\\") i += 2;
        else if (text[i] === ch && text[i + 1] === ch) i += 2;
        else if (text[i] === ch) break;
        else i += 1;
      }
      i += 1;
    } else if (pastComment > i) {
      i = pastComment;
    } else if (ch === "$" && !/[\w$]/.test(text[i - 1] ?? "")) {
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(text.slice(i));
      if (tag) {
        const close = text.indexOf(tag[0], i + tag[0].length);
        i = close === -1 ? text.length : close + tag[0].length;
      } else i += 1;
    } else if (ch === "{") {
      const match = PLACEHOLDER.exec(text.slice(i, i + 70));
      if (match) {
        found.push({ name: match[1]!, start: i, end: i + match[0].length });
        i += match[0].length;
      } else i += 1;
    } else i += 1;
  }
  return found;
}

export interface SubstitutedSql {
  text: string;
  /** The distinct names in order of first use: name i is bound as `$(i+1)`. */
  names: string[];
  /** A 1-based character position in `text` (a Postgres error's) → the same place in the original SQL. */
  sourcePosition: (position: number) => number;
}

/**
 * Replaces every `{{name}}` with `replacement(name, n)`, one `n` per distinct name (`$n` in
 * the SQL that is sent), and keeps the way back from a position in the result to the SQL the
 * user wrote, so that an error Postgres reports points into the editor's text. Pure.
 */
export function substitutePlaceholders(sql: string, replacement: (name: string, n: number) => string): SubstitutedSql {
  const names: string[] = [];
  const moves: Array<{ at: number; length: number; source: Placeholder }> = [];
  let text = "";
  let last = 0;
  for (const placeholder of findPlaceholders(sql)) {
    let index = names.indexOf(placeholder.name);
    if (index === -1) index = names.push(placeholder.name) - 1;
    text += sql.slice(last, placeholder.start);
    const replaced = replacement(placeholder.name, index + 1);
    moves.push({ at: text.length, length: replaced.length, source: placeholder });
    text += replaced;
    last = placeholder.end;
  }
  text += sql.slice(last);
  const sourcePosition = (position: number) => {
    const index = position - 1;
    let shift = 0;
    for (const move of moves) {
      if (index < move.at) break;
      // Inside a replacement: the placeholder it stands for.
      if (index < move.at + move.length) return move.source.start + 1;
      shift += move.length - (move.source.end - move.source.start);
    }
    return index - shift + 1;
  };
  return { text, names, sourcePosition };
}
