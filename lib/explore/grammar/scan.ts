import { ExploreError } from "@/lib/explore/errors";

/** A read position over one parameter value; the hand-written parsers share it. */
export class Cursor {
  pos = 0;
  constructor(readonly text: string) {}

  get done(): boolean {
    return this.pos >= this.text.length;
  }

  peek(): string | undefined {
    return this.text[this.pos];
  }

  startsWith(prefix: string): boolean {
    return this.text.startsWith(prefix, this.pos);
  }

  /** Consumes `prefix` when it is next. */
  eat(prefix: string): boolean {
    if (!this.startsWith(prefix)) return false;
    this.pos += prefix.length;
    return true;
  }

  skipSpaces(): void {
    while (this.peek() === " ") this.pos += 1;
  }

  /** Consumes and returns everything up to (not including) the first char of `stops`. */
  readUntil(stops: string): string {
    const start = this.pos;
    while (!this.done && !stops.includes(this.text[this.pos] as string)) this.pos += 1;
    return this.text.slice(start, this.pos);
  }

  rest(): string {
    return this.text.slice(this.pos);
  }
}

/**
 * Reads a PostgREST double-quoted string at the cursor: a backslash escapes the next character
 * (so `\"` and `\\`). Returns null — with the cursor untouched — when the quote never closes,
 * letting callers fall back to reading the text raw, as PostgREST does.
 */
export function readQuoted(cursor: Cursor): string | null {
  if (cursor.peek() !== '"') return null;
  const start = cursor.pos;
  let out = "";
  let i = start + 1;
  while (i < cursor.text.length) {
    const ch = cursor.text[i] as string;
    if (ch === '"') {
      cursor.pos = i + 1;
      return out;
    }
    if (ch === "\\" && i + 1 < cursor.text.length) {
      out += cursor.text[i + 1];
      i += 2;
    } else {
      out += ch;
      i += 1;
    }
  }
  return null;
}

/**
 * Splits on commas that are outside double quotes and parentheses — for select= and order=,
 * whose items may be quoted names containing commas.
 */
export function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i];
    if (quoted) {
      if (ch === "\\") i += 1;
      else if (ch === '"') quoted = false;
    } else if (ch === '"') quoted = true;
    else if (ch === "(") depth += 1;
    else if (ch === ")") depth = Math.max(0, depth - 1);
    else if (ch === "," && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

/**
 * Reads a column name at the cursor: a quoted name, or plain text up to one of `stops`.
 * Plain names are trimmed so `select=id, name` works; quote a name that really has spaces.
 */
export function readName(cursor: Cursor, stops: string, what: string): string {
  cursor.skipSpaces();
  const quoted = readQuoted(cursor);
  const name = quoted ?? cursor.readUntil(stops).trim();
  if (name === "") {
    throw new ExploreError("malformed_filter", `Missing column name in ${what}`, { at: what });
  }
  // A JSON path after a quoted name (`"my col"->>a`) stays part of the name; the filter splits it.
  if (quoted !== null && cursor.startsWith("->")) return quoted + cursor.readUntil(stops);
  return name;
}

/** A filter key may be written quoted (`"my col"=eq.1`); unwrap it. */
export function unquoteKey(key: string): string {
  const cursor = new Cursor(key);
  const quoted = readQuoted(cursor);
  return quoted !== null && cursor.done ? quoted : key;
}

/** Strict non-negative integer, as limit/offset/Range need; null when not one. */
export function parseNonNegativeInt(text: string): number | null {
  if (!/^\d{1,16}$/.test(text)) return null;
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : null;
}
