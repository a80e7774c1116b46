import type { Condition, ReadRequest, SelectItem, OrderTerm } from "@/lib/explore/grammar/ast";
import { parseFilterParam } from "@/lib/explore/grammar/filter";
import { Budget } from "@/lib/explore/grammar/limits";
import { LOGIC_KEYS, parseLogicParam, type LogicKey } from "@/lib/explore/grammar/logic";
import { parseOrderParam } from "@/lib/explore/grammar/order";
import { combinePage, parseLimitParam, parseOffsetParam, parsePreferHeader, parseRangeHeader } from "@/lib/explore/grammar/paging";
import { unquoteKey } from "@/lib/explore/grammar/scan";
import { parseSelectParam } from "@/lib/explore/grammar/select";
import { ExploreError, show } from "@/lib/explore/errors";

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

  for (const [key, value] of input.params) {
    if (SINGLE_USE.has(key)) {
      if (seen.has(key)) {
        throw new ExploreError("duplicate_parameter", `Parameter ${show(key)} is given more than once`, {
          parameter: key,
        });
      }
      seen.add(key);
    }
    if (key === "select") select = parseSelectParam(value);
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

  return {
    select,
    where,
    order,
    page: combinePage(limit, offset, parseRangeHeader(input.range)),
    count: parsePreferHeader(input.prefer),
  };
}
