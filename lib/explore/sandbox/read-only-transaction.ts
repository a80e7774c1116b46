import "server-only";
import type { Sql } from "postgres";
import { ApiError } from "@/lib/core/errors";
import { log } from "@/lib/core/log";
import { withRole } from "@/lib/db/clients";
import { isServerError, type Unit } from "@/lib/db/pool";
import { env } from "@/lib/env";
import type { BackendTransaction } from "@/lib/fleet/run-tags";

/**
 * Undoes what a rollback keeps, in one round trip, on the clean path only: a run that was
 * cancelled, timed out or broke off is not scrubbed — the pool destroys its connection (no
 * cancel of ours can be in flight on a connection that is scrubbed and reused).
 */
async function scrub(sql: Sql): Promise<void> {
  await sql.unsafe("ROLLBACK; SELECT pg_catalog.pg_advisory_unlock_all()");
}

/** What a unit of work inside the sandbox's read-only transaction gets. */
export interface ReadOnlyTransaction {
  sql: Sql;
  unit: Unit;
  /** The backend and its transaction's start, which tag a run for the running-queries view. */
  backend: BackendTransaction | undefined;
  /** Pass every error of a statement through this: whether the server answered it decides whether the connection is scrubbed and reused. */
  serverAnswered: (error: unknown) => unknown;
}

/**
 * The readonly role, `BEGIN READ ONLY`, a local statement_timeout, the work, and the scrub
 * of what a rollback keeps — on the clean path only. Every run and describe of user SQL goes
 * through here.
 */
export async function inReadOnlyTransaction<T>(signal: AbortSignal | undefined, work: (tx: ReadOnlyTransaction) => Promise<T>): Promise<T> {
  const config = env();
  return withRole(
    "readonly",
    async (unit) => {
      const { sql } = unit;
      // Whether the server ended every statement it was sent (success or an ErrorResponse), so
      // the connection is in sync and a rollback makes it clean.
      let inSync = true;
      const serverAnswered = (error: unknown) => {
        inSync = isServerError(error);
        return error;
      };
      try {
        await sql.unsafe("BEGIN READ ONLY");
        // SET LOCAL statement_timeout, and in the same round trip the backend and transaction
        // start that tag a run (through a pooler too: a transaction keeps its server backend).
        // An integer from validated configuration, not request text.
        const [backend] = await sql.unsafe<BackendTransaction[]>(
          `SELECT pg_catalog.set_config('statement_timeout', '${config.SQL_TIMEOUT_MS}', true) AS timeout, pg_catalog.pg_backend_pid() AS pid, (extract(epoch FROM now()) * 1000000)::bigint::text AS "xactStartUs"`,
        );
        return await work({ sql, unit, backend, serverAnswered });
      } finally {
        // A cancelled run, or one that broke off mid-result, is not scrubbed: the pool destroys
        // its connection (the return contract, lib/db/pool/role-pool.ts).
        if (inSync && !unit.cancelled) {
          await scrub(sql).catch((error: unknown) => {
            log.error({ err: error instanceof Error ? error.message : String(error) }, "sandbox connection could not be scrubbed");
            throw new ApiError("unavailable", "the database connection could not be reset; retry", undefined, { "Retry-After": "1" });
          });
        }
      }
    },
    { signal },
  );
}
