import "server-only";
import { randomBytes } from "node:crypto";
import type { Sql } from "postgres";
import { extendedQuery } from "@/lib/explore/output";
import { isPgError, mapQueryError } from "@/lib/explore/pg-errors";
import { inReadOnlyTransaction } from "@/lib/explore/sandbox/read-only-transaction";
import { checkStatement, notReadStatement } from "@/lib/explore/sql";

/**
 * Postgres parses and analyses a statement without running it: `PREPARE … AS <text>` inside the
 * sandbox's read-only transaction (the readonly role; a PREPARE executes nothing), the types it
 * inferred for `$1…$n` read from pg_prepared_statements, and the statement dropped again —
 * prepared statements outlive a rollback. A syntax error, a missing column or table comes back
 * as Postgres' own error with its position in `text`.
 */
export interface DescribedParameter {
  /** The type's OID and format_type() name, e.g. 1184 "timestamp with time zone". */
  oid: number;
  type: string;
  isArray: boolean;
}

const SAVEPOINT = "sluice_describe";
/** "could not determine data type of parameter $2": nothing in the statement says what $2 is. */
const UNDETERMINED = /parameter \$(\d+)/;

const PARAMETER_TYPES_SQL = `SELECT t.oid::int4 AS oid, pg_catalog.format_type(t.oid, NULL) AS type, t.typcategory = 'A' AS "isArray"
  FROM pg_catalog.pg_prepared_statements s, unnest(s.parameter_types) WITH ORDINALITY AS p(type, n)
  JOIN pg_catalog.pg_type t ON t.oid = p.type
 WHERE s.name = $1
 ORDER BY p.n`;

/**
 * Inside a read-only transaction (see inReadOnlyTransaction). `parameterCount` placeholders are
 * inferred from where they stand; one Postgres cannot place (`{{x}} IS NULL`) is taken as text,
 * as it would be bound.
 */
export async function describeInTransaction(
  sql: Sql,
  text: string,
  parameterCount: number,
  serverAnswered: (error: unknown) => unknown,
): Promise<DescribedParameter[]> {
  const name = `sluice_describe_${randomBytes(6).toString("hex")}`;
  const types: string[] = Array.from({ length: parameterCount }, () => "unknown");
  for (;;) {
    const head = `PREPARE ${name}${types.length ? ` (${types.join(", ")})` : ""} AS `;
    await sql.unsafe(`SAVEPOINT ${SAVEPOINT}`);
    const failure = await extendedQuery(sql, head + text, []).then(
      () => null,
      (error: unknown) => serverAnswered(error),
    );
    if (failure === null) break;
    const undetermined = isPgError(failure) && failure.code === "42P18" ? Number(UNDETERMINED.exec(failure.message)?.[1]) : NaN;
    if (types[undetermined - 1] !== "unknown") throw mapQueryError(failure, { positionOffset: head.length });
    types[undetermined - 1] = "text";
    await sql.unsafe(`ROLLBACK TO SAVEPOINT ${SAVEPOINT}`);
  }
  try {
    return await extendedQuery(sql, PARAMETER_TYPES_SQL, [name]).then((rows) => rows as unknown as DescribedParameter[]);
  } catch (error) {
    // The statement stays prepared on this connection: it must not go back to the pool.
    serverAnswered(new Error("a described statement could not be dropped"));
    throw error;
  } finally {
    await sql.unsafe(`DEALLOCATE ${name}`).catch(() => serverAnswered(new Error("a described statement could not be dropped")));
  }
}

/**
 * Checks `text` as the sandbox would run it, without running it: a read statement that Postgres
 * can parse and plan against the catalog. Returns what it inferred for `$1…$parameterCount`.
 */
export async function describeSql(text: string, parameterCount: number, signal?: AbortSignal): Promise<DescribedParameter[]> {
  const statement = checkStatement(text);
  return inReadOnlyTransaction(signal, async ({ sql, serverAnswered }) => {
    const parameters = await describeInTransaction(sql, text, parameterCount, serverAnswered);
    if (statement.unknown) throw notReadStatement(statement.keyword);
    return parameters;
  });
}
