/**
 * The grid's state IS the table API's query string: the browser URL
 * /explore/data.orders?status=eq.paid&order=id.desc&limit=50 maps 1:1 onto
 * /api/v1/tables/data.orders?status=eq.paid&order=id.desc&limit=50, so a
 * shared link and a curl call show the same rows. This module reads and
 * edits that string; the server's parser stays the judge of what is valid.
 */
export const FILTER_OPERATORS = [
  { op: "eq", label: "=" },
  { op: "neq", label: "≠" },
  { op: "gt", label: ">" },
  { op: "gte", label: "≥" },
  { op: "lt", label: "<" },
  { op: "lte", label: "≤" },
  { op: "like", label: "like (* wildcard)" },
  { op: "ilike", label: "ilike (* wildcard, any case)" },
  { op: "in", label: "in list (a,b,c)" },
  { op: "is", label: "is (null, not_null, true, false)" },
] as const;

export type FilterOperator = (typeof FILTER_OPERATORS)[number]["op"];

export const PAGE_SIZES = [25, 50, 100, 250, 500] as const;
export const DEFAULT_PAGE_SIZE = 50;

/** Keys the grid manages itself; every other key is a filter (PostgREST: `column=op.value`). */
const PAGING_KEYS = new Set(["select", "order", "limit", "offset"]);

export interface GridFilter {
  /** The raw `key=value` pair as it sits in the URL, so removing it is exact. */
  key: string;
  value: string;
  /** A readable form for the chip, e.g. `status ≠ paid`. */
  label: string;
}

export interface SortTerm {
  column: string;
  direction: "asc" | "desc";
}

export interface GridQuery {
  select: string[] | null;
  filters: GridFilter[];
  sort: SortTerm[];
  limit: number;
  offset: number;
}

function opLabel(op: string): string {
  return FILTER_OPERATORS.find((entry) => entry.op === op)?.label.split(" ")[0] ?? op;
}

function describeFilter(key: string, value: string): string {
  if (key === "or" || key === "and" || key === "not.or" || key === "not.and") return `${key} ${value}`;
  const negated = value.startsWith("not.");
  const rest = negated ? value.slice(4) : value;
  const dot = rest.indexOf(".");
  if (dot < 0) return `${key} ${value}`;
  return `${key} ${negated ? "not " : ""}${opLabel(rest.slice(0, dot))} ${rest.slice(dot + 1)}`;
}

function positiveInt(text: string | null, fallback: number): number {
  if (text === null || !/^\d+$/.test(text)) return fallback;
  return Number(text);
}

export function readGridQuery(params: URLSearchParams): GridQuery {
  const select = params.get("select");
  const order = params.get("order");
  const filters: GridFilter[] = [];
  for (const [key, value] of params) {
    if (!PAGING_KEYS.has(key)) filters.push({ key, value, label: describeFilter(key, value) });
  }
  return {
    select: select
      ? select
          .split(",")
          .map((name) => name.trim())
          .filter(Boolean)
      : null,
    filters,
    sort: order
      ? order
          .split(",")
          .map((term) => term.trim().split("."))
          .filter((parts) => parts[0])
          .map((parts) => ({ column: parts[0]!, direction: parts.includes("desc") ? ("desc" as const) : ("asc" as const) }))
      : [],
    limit: Math.max(1, positiveInt(params.get("limit"), DEFAULT_PAGE_SIZE)),
    offset: positiveInt(params.get("offset"), 0),
  };
}

/** The value of a filter parameter: `in` wraps a comma list in parentheses if the user did not. */
export function filterValue(op: FilterOperator, value: string, negated: boolean): string {
  let text = value.trim();
  if (op === "in" && !text.startsWith("(")) text = `(${text})`;
  if (op === "is") text = text.toLowerCase().replace(/\s+/g, "_");
  return `${negated ? "not." : ""}${op}.${text}`;
}

function edit(params: URLSearchParams, change: (next: URLSearchParams) => void): URLSearchParams {
  const next = new URLSearchParams(params);
  change(next);
  return next;
}

/** A new filter narrows the rows, so the view goes back to the first page. */
export function addFilter(params: URLSearchParams, column: string, value: string): URLSearchParams {
  return edit(params, (next) => {
    next.append(column, value);
    next.delete("offset");
  });
}

export function removeFilter(params: URLSearchParams, filter: GridFilter): URLSearchParams {
  return edit(params, (next) => {
    next.delete(filter.key, filter.value);
    next.delete("offset");
  });
}

export function clearFilters(params: URLSearchParams): URLSearchParams {
  return edit(params, (next) => {
    for (const key of [...next.keys()]) if (!PAGING_KEYS.has(key)) next.delete(key);
    next.delete("offset");
  });
}

/** Header clicks cycle one column through ascending, descending and unsorted. */
export function cycleSort(params: URLSearchParams, column: string): URLSearchParams {
  const current = readGridQuery(params).sort.find((term) => term.column === column);
  return edit(params, (next) => {
    if (!current) next.set("order", `${column}.asc`);
    else if (current.direction === "asc") next.set("order", `${column}.desc`);
    else next.delete("order");
    next.delete("offset");
  });
}

/** null = every column (no `select=`, the API's default). */
export function setSelect(params: URLSearchParams, columns: string[] | null): URLSearchParams {
  return edit(params, (next) => {
    if (columns === null) next.delete("select");
    else next.set("select", columns.join(","));
  });
}

export function setPage(params: URLSearchParams, limit: number, offset: number): URLSearchParams {
  return edit(params, (next) => {
    next.set("limit", String(limit));
    if (offset > 0) next.set("offset", String(offset));
    else next.delete("offset");
  });
}

/** What the grid sends to the API: the URL's own parameters, with a page size if the URL has none. */
export function apiParams(params: URLSearchParams): URLSearchParams {
  return edit(params, (next) => {
    if (!next.has("limit")) next.set("limit", String(DEFAULT_PAGE_SIZE));
  });
}

/** `Content-Range: 0-49/200000` → 200000, when the server counted (`/*` means it did not). */
export function totalFromContentRange(header: string | null): number | null {
  const match = header?.match(/\/(\d+)\s*$/);
  return match ? Number(match[1]) : null;
}

/** Relation names in URLs are `schema.table`; identifiers with dots or odd characters are encoded. */
export function relationPath(schema: string, name: string): string {
  return encodeURIComponent(`${schema}.${name}`);
}

/** Previous from a page past the end (an old link, a narrower filter) lands on the last page that has rows. */
export function previousPageOffset(offset: number, limit: number, total: number | null): number {
  if (total !== null && total > 0 && offset >= total) return Math.floor((total - 1) / limit) * limit;
  return Math.max(0, offset - limit);
}
