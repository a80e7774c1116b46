import { CAST_TARGETS, castTarget } from "@/lib/explore/grammar/column-types";
import type { EmbedItem, SelectItem } from "@/lib/explore/grammar/ast";
import { splitJsonPath } from "@/lib/explore/grammar/json-path";
import { GRAMMAR_LIMITS } from "@/lib/explore/grammar/limits";
import { Cursor, readQuoted, splitTopLevel } from "@/lib/explore/grammar/scan";
import { ExploreError, show } from "@/lib/explore/errors";

function malformed(message: string, item: string): ExploreError {
  return new ExploreError("malformed_select", message, { item });
}

/** A quoted name, or plain text up to the next ":" (trimmed). */
function readPart(cursor: Cursor): string {
  const quoted = readQuoted(cursor);
  return quoted ?? cursor.readUntil(":").trim();
}

function readCast(text: string, item: string): string {
  // Type names are short; bounding the length keeps normalisation cheap on hostile input.
  const target = text.length > 64 ? null : castTarget(text);
  if (target === null) {
    throw new ExploreError("bad_cast", `Cast to ${show(text)} is not allowed in ${show(item)}; allowed: ${CAST_TARGETS.join(", ")}`, {
      item,
      cast: text,
    });
  }
  return target;
}

/** Postgres truncates identifiers past 63 bytes and refuses NUL in query text. */
const MAX_IDENTIFIER_BYTES = 63;

/**
 * An alias becomes a quoted identifier in the SQL that builds the JSON body (its key), so it
 * must survive as one: at most 63 bytes (a longer one would be cut, maybe into another key) and
 * no NUL character.
 */
function checkAlias(alias: string, item: string): void {
  if (alias.includes("\0") || new TextEncoder().encode(alias).length > MAX_IDENTIFIER_BYTES) {
    throw malformed(`Alias ${show(alias)} must be at most ${MAX_IDENTIFIER_BYTES} bytes, without NUL characters`, item);
  }
}

const EMBED = /^(?:([^:()!"]+):)?([^:()!"]+)((?:![^:()!"]+)*)\((.*)\)$/s;

/** Counts embeds across one select=, so nesting and fan-out stay bounded. */
interface EmbedBudget {
  count: number;
}

/**
 * `alias:relation!hint!inner(items)` and the spread `...relation!hint(items)`. At most one hint
 * and one join type (`!inner`, `!left`), in either order, as PostgREST reads them; a spread has
 * no alias (its columns are named in the parent).
 */
function parseEmbed(item: string, depth: number, budget: EmbedBudget): SelectItem {
  const match = EMBED.exec(item);
  if (!match) {
    throw new ExploreError("unsupported_feature", `Aggregates and functions are not supported in select: ${show(item)}`, { item });
  }
  const [, alias = null, written = "", modifiers = "", inner = ""] = match;
  const spread = written.trim().startsWith("...");
  const relation = (spread ? written.trim().slice(3) : written).trim();
  if (relation === "") throw malformed(`Missing relation name in ${show(item)}`, item);
  // PostgREST's aggregate `count()`, never a relation of that name.
  if (relation === "count" && inner.trim() === "" && !spread) {
    throw new ExploreError("unsupported_feature", `Aggregates are not supported in select: ${show(item)}`, { item });
  }
  if (spread && alias !== null) throw malformed(`A spread cannot have an alias: ${show(item)}`, item);
  budget.count += 1;
  if (budget.count > GRAMMAR_LIMITS.maxEmbeds || depth >= GRAMMAR_LIMITS.maxEmbedDepth) {
    throw new ExploreError(
      "too_complex",
      `select= may embed at most ${GRAMMAR_LIMITS.maxEmbeds} resources, ${GRAMMAR_LIMITS.maxEmbedDepth} levels deep`,
      { item },
    );
  }
  let hint: string | null = null;
  let join: "inner" | "left" | null = null;
  for (const modifier of modifiers
    .split("!")
    .slice(1)
    .map((m) => m.trim())) {
    if (modifier === "left" || modifier === "inner") {
      if (join !== null) throw malformed(`More than one join type in ${show(item)}`, item);
      join = modifier;
      continue;
    }
    if (hint !== null) throw malformed(`More than one hint in ${show(item)}`, item);
    hint = modifier;
  }
  if (alias !== null) checkAlias(alias.trim(), item);
  // `relation()`: an empty embed, in no output, there to be filtered on (`relation=not.is.null`).
  const select = inner.trim() === "" ? [] : parseItems(inner, depth + 1, budget);
  const embed: EmbedItem = { kind: "embed", relation, alias: alias?.trim() || null, hint, select };
  if (join === "inner") embed.join = "inner";
  if (spread) embed.spread = true;
  return embed;
}

/** One select item: `*`, `col`, `alias:col`, `col::type`, `alias:col::type`, names optionally quoted, or an embed. */
function parseItem(raw: string, depth: number, budget: EmbedBudget): SelectItem {
  const item = raw.trim();
  if (item === "*") return { kind: "star" };
  if (item === "") throw malformed("select= has an empty item", raw);
  if (/[()]/.test(item.replace(/"(?:[^"\\]|\\.)*"/g, ""))) return parseEmbed(item, depth, budget);
  const cursor = new Cursor(item);
  const first = readPart(cursor);
  let alias: string | null = null;
  let column = first;
  if (!cursor.startsWith("::") && cursor.eat(":")) {
    alias = first;
    column = readPart(cursor);
  }
  // A quoted column may be followed by a JSON path: `"my col"->>a`.
  if (cursor.startsWith("->")) column += cursor.readUntil(":");
  let cast: string | null = null;
  if (cursor.eat("::")) cast = readCast(cursor.rest().trim(), item);
  else if (!cursor.done) throw malformed(`Unexpected ${show(cursor.rest())} in select item ${show(item)}`, item);

  if (alias === "") throw malformed(`Empty alias in select item ${show(item)}`, item);
  if (alias !== null) checkAlias(alias, item);
  if (column === "") throw malformed(`Missing column name in select item ${show(item)}`, item);
  const { column: name, path } = splitJsonPath(column);
  return path === null ? { kind: "column", column, alias, cast } : { kind: "column", column: name, path, alias, cast };
}

function parseItems(text: string, depth: number, budget: EmbedBudget): SelectItem[] {
  if (text.trim() === "") throw malformed("select= lists no columns; omit it to get every column", text);
  const parts = splitTopLevel(text);
  if (parts.length > GRAMMAR_LIMITS.maxSelectItems) {
    throw new ExploreError("too_complex", `select= has more than ${GRAMMAR_LIMITS.maxSelectItems} items`);
  }
  return parts.map((part) => parseItem(part, depth, budget));
}

export function parseSelectParam(text: string): SelectItem[] {
  return parseItems(text, 0, { count: 0 });
}
