/**
 * The parsed shape of a table-API read request. Names here are still request text: they are
 * checked against the catalog (and replaced by catalog objects) only when the query is built.
 * Values are kept as written (`*` in like patterns included) so the UI can turn an AST back into
 * a URL without loss.
 */
export interface ReadRequest {
  /** null: no `select=` given, i.e. every column. */
  select: SelectItem[] | null;
  /** Top-level conditions, joined with AND. */
  where: Condition[];
  order: OrderTerm[];
  page: Page;
  count: CountMode | null;
  /** `Prefer: handling=strict|lenient`; absent or null: lenient, PostgREST's default. */
  handling?: Handling | null;
}

export type Handling = "strict" | "lenient";

/** `->` (json) or `->>` (text) steps into a json/jsonb column; integer keys index arrays. */
export type JsonPath = Array<{ arrow: "->" | "->>"; key: string | number }>;

export type SelectItem =
  | { kind: "star" }
  | EmbedItem
  | {
      kind: "column";
      column: string;
      /** `props->>kind`: a JSON path into the column; absent for a plain column. */
      path?: JsonPath;
      /** `alias:column` — becomes the output key; reaches SQL only as a quoted identifier (≤ 63 bytes, see select.ts). */
      alias: string | null;
      /** Canonical cast target (see column-types.ts), e.g. "text" for `::text`. */
      cast: string | null;
    };

/**
 * `alias:relation!hint!inner(items)`: resource embedding over a foreign key from the catalog —
 * to-one (an object or null) or to-many (an array). The hint names the foreign key or one of its
 * columns when several relate the same two relations. `!inner` keeps only the parents that have
 * a matching embedded row; `!left` (the default) keeps every parent. A spread
 * (`...relation(items)`, to-one only) lifts the embedded columns into the parent object. An
 * empty embed (`relation()`, no items) is in no output; `relation=is.null`/`not.is.null` test it.
 */
export interface EmbedItem {
  kind: "embed";
  relation: string;
  alias: string | null;
  hint: string | null;
  select: SelectItem[];
  /** Absent: left. */
  join?: "inner" | "left";
  /** `...relation(items)`: no alias, columns lifted into the parent. */
  spread?: boolean;
  /**
   * Parameters addressed to this embed by its path (`customers.country=eq.US`,
   * `orders.order=total.desc`, `orders.limit=2`, `orders.or=(…)`): attached by the parser.
   */
  where?: Condition[];
  order?: OrderTerm[];
  page?: Page;
}

export const COMPARISON_OPS = ["eq", "neq", "gt", "gte", "lt", "lte"] as const;
/** `*` is the like wildcard; match/imatch are POSIX regular expressions (`~`, `~*`). */
export const PATTERN_OPS = ["like", "ilike", "match", "imatch"] as const;
/** Arrays, ranges and jsonb: contains, contained in, overlap; range position and adjacency. */
export const CONTAINMENT_OPS = ["cs", "cd", "ov", "sl", "sr", "nxr", "nxl", "adj"] as const;
/** Full-text search: to_tsquery, plainto_tsquery, phraseto_tsquery, websearch_to_tsquery. */
export const FTS_OPS = ["fts", "plfts", "phfts", "wfts"] as const;
export const FILTER_OPS = [...COMPARISON_OPS, ...PATTERN_OPS, "in", "is", "isdistinct", ...CONTAINMENT_OPS, ...FTS_OPS] as const;

export type ComparisonOp = (typeof COMPARISON_OPS)[number];
export type PatternOp = (typeof PATTERN_OPS)[number];
export type ContainmentOp = (typeof CONTAINMENT_OPS)[number];
export type FtsOp = (typeof FTS_OPS)[number];
export type FilterOp = (typeof FILTER_OPS)[number];

/** `eq(any).{1,2}`: the value is an array literal, compared with ANY / ALL of its elements. */
export type Quantifier = "any" | "all";

export const IS_VALUES = ["null", "not_null", "true", "false", "unknown"] as const;
export type IsValue = (typeof IS_VALUES)[number];

export type Condition = Filter | Group;

/** A filter's column may carry a JSON path (`props->>kind=eq.a`); absent for a plain column. */
export type Filter = FilterBody & { path?: JsonPath };

type FilterBody =
  | { kind: "filter"; column: string; negated: boolean; op: ComparisonOp | PatternOp; value: string; quantifier?: Quantifier }
  | { kind: "filter"; column: string; negated: boolean; op: "isdistinct" | ContainmentOp; value: string }
  | { kind: "filter"; column: string; negated: boolean; op: FtsOp; value: string; language: string | null }
  | { kind: "filter"; column: string; negated: boolean; op: "in"; values: string[] }
  | { kind: "filter"; column: string; negated: boolean; op: "is"; value: IsValue };

export interface Group {
  kind: "group";
  op: "and" | "or";
  negated: boolean;
  conditions: Condition[];
}

export interface OrderTerm {
  /** `order=customers(full_name).desc`: a column of a to-one embed of this level, named by alias or relation. */
  relation?: string;
  column: string;
  path?: JsonPath;
  direction: "asc" | "desc";
  /** null: Postgres' default (NULLS LAST for asc, NULLS FIRST for desc). */
  nulls: "first" | "last" | null;
}

/** The window asked for by limit/offset and the Range header combined. */
export interface Page {
  offset: number;
  /** null: as many as the server's row cap allows. */
  limit: number | null;
}

export type CountMode = "exact" | "planned" | "estimated";
