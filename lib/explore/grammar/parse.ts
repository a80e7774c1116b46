import type { Condition, EmbedItem, ReadRequest, SelectItem, OrderTerm } from "@/lib/explore/grammar/ast";
import { parseFilterParam } from "@/lib/explore/grammar/filter";
import { Budget } from "@/lib/explore/grammar/limits";
import { LOGIC_KEYS, parseLogicParam, type LogicKey } from "@/lib/explore/grammar/logic";
import { parseOrderParam } from "@/lib/explore/grammar/order";
import { combinePage, parseLimitParam, parseOffsetParam, parsePreferHeader, parseRangeHeader } from "@/lib/explore/grammar/paging";
import { Cursor, readQuoted, unquoteKey } from "@/lib/explore/grammar/scan";
import { parseSelectParam } from "@/lib/explore/grammar/select";
import { ExploreError, show, showPgrst } from "@/lib/explore/errors";

export type * from "@/lib/explore/grammar/ast";
export { FILTER_OPS, IS_VALUES } from "@/lib/explore/grammar/ast";

/**
 * Query keys that are never column filters. PostgREST's write-only keys are reserved too, so a
 * client written for PostgREST gets a clear refusal rather than "unknown column columns".
 * A column named like one of these can still be filtered inside and=(…).
 */
export const RESERVED_PARAMS = ["select", "order", "limit", "offset", ...Object.keys(LOGIC_KEYS), "columns", "on_conflict"] as const;

const RESERVED: ReadonlySet<string> = new Set(RESERVED_PARAMS);
const SINGLE_USE = new Set(["select", "order", "limit", "offset"]);
const WRITE_ONLY = new Set(["columns", "on_conflict"]);

export interface ReadRequestInput {
  params: URLSearchParams;
  /** The `Range` request header, if any. */
  range?: string | null;
  /** The `Prefer` request header, if any. */
  prefer?: string | null;
}

export interface ParseOptions {
  /** Keys the caller handles itself (e.g. UI state in the grid's URL); skipped, not filters. */
  ignore?: Iterable<string>;
}

/**
 * Parses a table-API read request (PostgREST grammar) into a ReadRequest. Names are not
 * checked here — the builder checks them against the catalog. Throws ExploreError (an
 * ApiError: 400, or 416 for an inverted Range) for anything malformed; nothing else.
 */
export function parseReadRequest(input: ReadRequestInput, options: ParseOptions = {}): ReadRequest {
  const ignore = new Set(options.ignore ?? []);
  const budget = new Budget();
  const seen = new Set<string>();
  let select: SelectItem[] | null = null;
  let order: OrderTerm[] = [];
  let limit: number | null = null;
  let offset: number | null = null;
  const where: Condition[] = [];

  const embedded = new Map<string, EmbedParams>();
  const embedParams = (path: string[]) => {
    const id = JSON.stringify(path);
    let params = embedded.get(id);
    if (!params) embedded.set(id, (params = { path, where: [], order: null, limit: null, offset: null }));
    return params;
  };

  for (const [key, value] of input.params) {
    const embedKey = RESERVED.has(key) || ignore.has(key) ? null : readEmbedKey(key);
    if (SINGLE_USE.has(key) || (embedKey && EMBED_SINGLE_USE.has(embedKey.param))) {
      if (seen.has(key)) {
        throw new ExploreError("duplicate_parameter", `Parameter ${show(key)} is given more than once`, {
          parameter: key,
        });
      }
      seen.add(key);
    }
    if (embedKey) {
      const params = embedParams(embedKey.path);
      if (embedKey.param === "order") params.order = parseOrderParam(value);
      else if (embedKey.param === "limit") params.limit = parseLimitParam(value);
      else if (embedKey.param === "offset") params.offset = parseOffsetParam(value);
      else if (embedKey.param in LOGIC_KEYS) params.where.push(parseLogicParam(embedKey.param as LogicKey, value, budget));
      else params.where.push(parseFilterParam(embedKey.param, value, budget));
    } else if (key === "select") select = parseSelectParam(value);
    else if (key === "order") order = parseOrderParam(value);
    else if (key === "limit") limit = parseLimitParam(value);
    else if (key === "offset") offset = parseOffsetParam(value);
    else if (key in LOGIC_KEYS) where.push(parseLogicParam(key as LogicKey, value, budget));
    else if (WRITE_ONLY.has(key)) {
      throw new ExploreError("unsupported_parameter", `Parameter ${show(key)} is not supported on reads`, {
        parameter: key,
      });
    } else if (ignore.has(key) && !RESERVED.has(key)) continue;
    else if (key.trim() === "") {
      throw new ExploreError("malformed_filter", "A query parameter has an empty name", { parameter: key });
    } else {
      where.push(parseFilterParam(unquoteKey(key), value, budget));
    }
  }

  for (const params of embedded.values()) attachEmbedParams(select, params);
  const preferences = parsePreferHeader(input.prefer);
  const request: ReadRequest = {
    select,
    where,
    order,
    page: combinePage(limit, offset, parseRangeHeader(input.range)),
    count: preferences.count,
  };
  if (preferences.handling !== null) request.handling = preferences.handling;
  return request;
}

/** What a dotted key addresses on an embedded resource: `orders.limit` → path ["orders"], param "limit". */
interface EmbedKey {
  path: string[];
  /** order, limit, offset, or, and, not.or, not.and — or the column of a filter. */
  param: string;
}

const EMBED_PARAMS = new Set(["order", "limit", "offset", "or", "and"]);
const EMBED_SINGLE_USE = new Set(["order", "limit", "offset"]);

/**
 * Splits a query key on the dots outside double quotes and before any JSON arrow (`props->a.b`
 * keeps its key), as PostgREST's tree path: `customers.country` filters the embed `customers`,
 * `orders.order`/`.limit`/`.offset`/`.or`/`.and`/`.not.or` shape it, `a.b.c` reaches `a`'s
 * embed `b`. A key without such a dot is a top-level one (null).
 */
function readEmbedKey(key: string): EmbedKey | null {
  const arrow = key.indexOf("->");
  const head = arrow < 0 ? key : key.slice(0, arrow);
  const parts: string[] = [];
  const cursor = new Cursor(head);
  let start = 0;
  while (!cursor.done) {
    if (cursor.peek() === '"' && readQuoted(cursor) !== null) continue;
    if (cursor.peek() === ".") {
      parts.push(head.slice(start, cursor.pos));
      start = cursor.pos + 1;
    }
    cursor.pos += 1;
  }
  if (parts.length === 0) return null;
  parts.push(head.slice(start) + (arrow < 0 ? "" : key.slice(arrow)));
  const last = parts[parts.length - 1]!;
  if (EMBED_PARAMS.has(last)) {
    const negated = parts.length > 2 && parts[parts.length - 2] === "not" && (last === "or" || last === "and");
    const path = parts.slice(0, negated ? -2 : -1);
    if (path.length === 0) return null;
    return { path: path.map(unquoteKey), param: negated ? `not.${last}` : last };
  }
  return { path: parts.slice(0, -1).map(unquoteKey), param: unquoteKey(last) };
}

/** A parameter or related order naming an embed the select does not have: PostgREST's PGRST108. */
export function notEmbedded(name: string): ExploreError {
  return new ExploreError("not_embedded", `${showPgrst(name)} is not an embedded resource in this request`, {
    pgrstCode: "PGRST108",
    hint: `Verify that ${showPgrst(name)} is included in the 'select' query parameter.`,
    resource: name,
  });
}

/**
 * Hands the parameters of one embed path to the embed they name, walking select= as PostgREST
 * does: at each level the first embed whose relation or alias is the name. A path that names
 * no embed is PostgREST's PGRST108.
 */
function attachEmbedParams(select: SelectItem[] | null, params: EmbedParams): void {
  let items = select ?? [];
  let embed: EmbedItem | undefined;
  for (const name of params.path) {
    embed = items.find((item): item is EmbedItem => item.kind === "embed" && (item.relation === name || item.alias === name));
    if (!embed) throw notEmbedded(name);
    items = embed.select;
  }
  if (!embed) return;
  if (params.where.length > 0) embed.where = [...(embed.where ?? []), ...params.where];
  if (params.order !== null) embed.order = params.order;
  if (params.limit !== null || params.offset !== null) embed.page = combinePage(params.limit, params.offset, null);
}

interface EmbedParams {
  path: string[];
  where: Condition[];
  order: OrderTerm[] | null;
  limit: number | null;
  offset: number | null;
}
