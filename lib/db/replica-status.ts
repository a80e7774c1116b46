import "server-only";
import type { Sql } from "postgres";

/**
 * Where the readonly role's connection landed, and how far behind the primary it is, when
 * DATABASE_READONLY_URL points it at a read replica. Readiness reports it to admins.
 *
 * The lag is the time since the replica last replayed a transaction, but only while WAL it has
 * received is still waiting to be replayed: an idle primary sends nothing, and a replica that has
 * replayed everything it was sent is not behind however old its last transaction is.
 */
export interface ReplicaStatus {
  /** false: the URL reaches a primary (a misconfiguration, or a promoted replica). */
  inRecovery: boolean;
  replayLagS: number | null;
  /** WAL received but not yet replayed. */
  replayLagBytes: number | null;
}

export async function replicaStatus(sql: Sql): Promise<ReplicaStatus> {
  const [row] = await sql<{ in_recovery: boolean; lag_s: number | null; lag_bytes: number | null }[]>`
    select pg_is_in_recovery() as in_recovery,
           case when not pg_is_in_recovery() then null
                when pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() then 0
                else extract(epoch from clock_timestamp() - pg_last_xact_replay_timestamp())::float8 end as lag_s,
           pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn())::float8 as lag_bytes`;
  return { inRecovery: row!.in_recovery, replayLagS: row!.lag_s, replayLagBytes: row!.lag_bytes };
}
