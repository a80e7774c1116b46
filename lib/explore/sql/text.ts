import type { ResolvedRelation } from "@/lib/explore/catalog";
import { ExploreError } from "@/lib/explore/errors";

/**
 * A value whose type Postgres infers from where it stands (`"addr" = $1` with an inet column):
 * for types the builder has no builtin for (enums, arrays, ranges, inet, interval, money, bit,
 * bytea, domains…), so their own input function parses the request text — the type name never
 * reaches the SQL.
 */
export interface UntypedValue {
  untyped: string;
}

/** SQL text with its bound values; `params[i]` is `$${i + 1}`: text, or untyped. */
export interface SqlQuery {
  text: string;
  params: Array<string | UntypedValue>;
}

/**
 * A double-quoted identifier. Callers pass only names read from catalog objects; quoting still
 * doubles inner quotes so even an odd catalog name (`we"ird`) stays one identifier.
 */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export function qualifiedName(target: ResolvedRelation): string {
  return `${quoteIdent(target.schema.name)}.${quoteIdent(target.relation.name)}`;
}

/** Postgres' wire protocol caps a statement at 65535 parameters. */
const MAX_PARAMS = 65535;

/** Collects bound values; every request value reaches SQL only as one of these placeholders. */
export class Params {
  readonly values: Array<string | UntypedValue>;

  /** Continues after values bound already (a query wrapped around another one). */
  constructor(bound: ReadonlyArray<string | UntypedValue> = []) {
    this.values = [...bound];
  }

  /** A text value (cast in SQL where needed), or with `untyped` one Postgres types from its context. */
  add(value: string, how: "text" | "untyped" = "text"): string {
    if (this.values.length >= MAX_PARAMS) {
      throw new ExploreError("too_complex", `A query may bind at most ${MAX_PARAMS} values`);
    }
    this.values.push(how === "text" ? value : { untyped: value });
    return `$${this.values.length}`;
  }

  /** How many values are bound so far, for `rewind`. */
  get size(): number {
    return this.values.length;
  }

  /** Drops the values bound since `size` was `mark`: for SQL that was built and then not used. */
  rewind(mark: number): void {
    this.values.length = Math.min(this.values.length, mark);
  }
}
