import type { ResolvedRelation } from "@/lib/explore/catalog";
import { ExploreError } from "@/lib/explore/errors";

/** SQL text with its bound values; `params[i]` is `$${i + 1}`. */
export interface SqlQuery {
  text: string;
  params: string[];
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
  readonly values: string[] = [];

  add(value: string): string {
    if (this.values.length >= MAX_PARAMS) {
      throw new ExploreError("too_complex", `A query may bind at most ${MAX_PARAMS} values`);
    }
    this.values.push(value);
    return `$${this.values.length}`;
  }
}
