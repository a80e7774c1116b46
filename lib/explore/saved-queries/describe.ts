import "server-only";
import { ApiError } from "@/lib/core/errors";
import { describeSql } from "@/lib/explore/sandbox";
import { parameterTypeFor, substitutePlaceholders, type ParameterType } from "@/lib/explore/sql";

/**
 * What Postgres makes of a saved query's SQL, without running it: each `{{name}}` becomes a bare
 * `$n` and the statement is prepared and described in the sandbox (lib/explore/sandbox/describe.ts),
 * so `ordered_at >= {{since}}` says timestamptz and `LIMIT {{n}}` says bigint. The editor offers
 * the inferred types as defaults; saving refuses SQL Postgres refuses, with the position in the
 * text the user wrote.
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

export async function describeSavedQuery(sql: string, signal?: AbortSignal): Promise<InferredParameter[]> {
  const substituted = substitutePlaceholders(sql, (_name, n) => `$${n}`);
  try {
    const described = await describeSql(substituted.text, substituted.names.length, signal);
    return substituted.names.flatMap((name, i) => {
      const inferred = described[i];
      return inferred ? [{ name, type: parameterTypeFor(inferred), pgType: inferred.type }] : [];
    });
  } catch (error) {
    throw inSourceText(error, sql, substituted.sourcePosition);
  }
}

/** Save-time validation: the same describe, its refusal addressed to the SQL field. */
export async function assertSqlDescribes(sql: string): Promise<void> {
  try {
    await describeSavedQuery(sql);
  } catch (error) {
    if (!(error instanceof ApiError) || error.status >= 500) throw error;
    const details = (error.details ?? {}) as Record<string, unknown>;
    throw new ApiError("validation_failed", `The query was not saved: ${error.message}`, { ...details, field: "sql" });
  }
}
