import "server-only";
import { ApiError } from "@/lib/core/errors";
import { describeSql } from "@/lib/explore/sandbox";
import type { SavedQueryParameter } from "@/lib/db/schema";
import { findPlaceholders, PARAMETER_CAST, parameterTypeFor, substitutePlaceholders, type ParameterType } from "@/lib/explore/sql";

/**
 * What Postgres makes of a saved query's SQL, without running it: each `{{name}}` becomes a bare
 * `$n` and the statement is prepared and described in the sandbox (lib/explore/sandbox/describe.ts),
 * so `ordered_at >= {{since}}` says timestamptz and `LIMIT {{n}}` says bigint. The editor offers
 * the inferred types as defaults; saving describes the SQL as it will run (each value cast to its
 * declared type) and refuses what Postgres refuses, with the position in the text the user wrote.
 */
export interface InferredParameter {
  name: string;
  /** The parameter type the editor offers for it. */
  type: ParameterType;
  /** What Postgres inferred, as format_type() names it ("timestamp with time zone"). */
  pgType: string;
}

/** Line and column (1-based) of a 1-based character position. */
export function lineAndColumn(text: string, position: number): { line: number; column: number } {
  const before = text.slice(0, Math.max(0, position - 1));
  const lines = before.split("\n");
  return { line: lines.length, column: lines.at(-1)!.length + 1 };
}

/** Postgres' error, moved from the described text back into the SQL as written, its place said in the message. */
function inSourceText(error: unknown, sql: string, sourcePosition: (position: number) => number): unknown {
  if (!(error instanceof ApiError)) return error;
  const details = (error.details ?? {}) as Record<string, unknown>;
  if (typeof details.position !== "number") return error;
  const position = sourcePosition(details.position);
  const { line, column } = lineAndColumn(sql, position);
  return new ApiError(error.code, `${error.message} (line ${line}, column ${column})`, { ...details, position, line, column }, error.headers);
}

type Declared = ReadonlyArray<Pick<SavedQueryParameter, "name" | "type">>;

/** Describes `sql` with each `{{name}}` replaced as `replacement` says; an error points into `sql` as written. */
async function describeAs(sql: string, replacement: (name: string, n: number) => string, signal?: AbortSignal) {
  const substituted = substitutePlaceholders(sql, replacement);
  try {
    return { names: substituted.names, described: await describeSql(substituted.text, substituted.names.length, signal) };
  } catch (error) {
    throw inSourceText(error, sql, substituted.sourcePosition);
  }
}

/** `{{name}}` as it runs: bound as text, cast to its declared type (text when it has none yet). */
function asDeclared(declared: Declared) {
  const types = new Map(declared.map((p) => [p.name, p.type]));
  return (name: string, n: number) => `($${n}::text::${PARAMETER_CAST[types.get(name) ?? "text"]})`;
}

const bare = (_name: string, n: number) => `$${n}`;

/** A refusal of the SQL by Postgres (not a pool or server failure), which the user can act on. */
const refusedByPostgres = (error: unknown): error is ApiError => error instanceof ApiError && error.status < 500;

/**
 * The types Postgres infers for bare `$n` placeholders. Some SQL leaves them open (`{{a}} + {{b}}`:
 * "operator is not unique") yet runs with the declared types: then the SQL is described as it
 * runs, and nothing is inferred ([]). When both fail, the bare error is the answer: it is about the
 * SQL itself (a missing column), whatever the types.
 */
export async function describeSavedQuery(sql: string, declared: Declared = [], signal?: AbortSignal): Promise<InferredParameter[]> {
  try {
    const { names, described } = await describeAs(sql, bare, signal);
    return names.flatMap((name, i) => {
      const inferred = described[i];
      return inferred ? [{ name, type: parameterTypeFor(inferred), pgType: inferred.type }] : [];
    });
  } catch (error) {
    if (!refusedByPostgres(error) || findPlaceholders(sql).length === 0) throw error;
    await describeAs(sql, asDeclared(declared), signal).catch((declaredError: unknown) => {
      throw refusedByPostgres(declaredError) ? error : declaredError;
    });
    return [];
  }
}

/**
 * Save-time validation: the SQL described as it will run, its refusal addressed to the SQL field.
 * When that fails, a refusal of the bare SQL (a missing column, a syntax error) is said first: it
 * is the problem whatever the types; otherwise the declared types are (timestamptz >= boolean).
 */
export async function assertSqlDescribes(sql: string, parameters: Declared): Promise<void> {
  const declaredError = await describeAs(sql, asDeclared(parameters)).then(
    () => null,
    (error: unknown) => error,
  );
  if (declaredError === null) return;
  if (!refusedByPostgres(declaredError)) throw declaredError;
  const bareError = findPlaceholders(sql).length
    ? await describeAs(sql, bare).then(
        () => null,
        (error: unknown) => error,
      )
    : null;
  const error = refusedByPostgres(bareError) ? bareError : declaredError;
  throw new ApiError("validation_failed", `The query was not saved: ${error.message}`, { ...((error.details ?? {}) as object), field: "sql" });
}
