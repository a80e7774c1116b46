import "server-only";
import { Counter, Gauge, type Registry } from "prom-client";
import { openPools } from "@/lib/db/clients";
import type { RolePoolStats } from "@/lib/db/pool";

/**
 * Per-role pool metrics. Nothing is counted twice: each scrape reads the live
 * stats of the pools this process has opened (the gate and the connection
 * tracker already count everything), so the collect callbacks only copy.
 */
type Pick = (stats: RolePoolStats) => number;

const GAUGES: Array<[name: string, help: string, pick: Pick]> = [
  ["sluice_db_pool_in_use", "Connections of the role's pool held by a unit of work", (s) => s.inUse],
  ["sluice_db_pool_idle", "Open connections of the role's pool not in use", (s) => Math.max(0, s.connected - s.inUse)],
  ["sluice_db_pool_waiting", "Units of work queued for a connection", (s) => s.waiting],
  ["sluice_db_pool_max", "Pool size: the most connections the role may hold", (s) => s.size],
  ["sluice_db_pool_min", "Connections kept open while idle", (s) => s.min],
  ["sluice_db_pool_max_waiting", "Queue length beyond which requests are refused with 503", (s) => s.maxWaiting],
  ["sluice_db_pool_open", "Connections currently open to Postgres (or the pooler)", (s) => s.connections.open],
  ["sluice_db_pool_healthy", "1 while the pool reaches the database, 0 while reconnecting or down", (s) => (s.health === "healthy" ? 1 : 0)],
  [
    "sluice_db_pool_fallback_to_direct",
    "1 when the external pooler was unreachable and the role connects directly",
    (s) => (s.fallbackToDirect ? 1 : 0),
  ],
];

const COUNTERS: Array<[name: string, help: string, pick: Pick]> = [
  ["sluice_db_pool_served_total", "Permits handed out (units of work started)", (s) => s.served],
  ["sluice_db_pool_queued_total", "Units of work that had to wait for a permit", (s) => s.queued],
  ["sluice_db_pool_rejected_total", "Refused at once because the queue was full (503)", (s) => s.rejected],
  ["sluice_db_pool_timeouts_total", "Gave up waiting after the acquire timeout (503)", (s) => s.timedOut],
  ["sluice_db_pool_aborted_total", "Left the queue because the client went away", (s) => s.aborted],
  ["sluice_db_pool_wait_seconds_total", "Total time spent waiting for permits", (s) => s.waitMsTotal / 1000],
  ["sluice_db_pool_usage_seconds_total", "Total time permits were held", (s) => s.usageMsTotal / 1000],
  ["sluice_db_pool_connections_opened_total", "Connections opened", (s) => s.connections.opened],
  ["sluice_db_pool_connections_failed_total", "Connection attempts that failed", (s) => s.connections.failed],
  ["sluice_db_pool_connections_lost_total", "Connections closed by the server or the network while in use or wanted", (s) => s.connections.lost],
  ["sluice_db_pool_returned_clean_total", "Units whose connection went back to the pool verified idle", (s) => s.returnedClean],
  [
    "sluice_db_pool_discarded_cancelled_total",
    "Connections destroyed because their unit was cancelled or its client went away",
    (s) => s.discarded.cancelled,
  ],
  ["sluice_db_pool_discarded_dirty_total", "Connections destroyed because they were not verifiably idle after their unit", (s) => s.discarded.dirty],
  ["sluice_db_pool_discarded_stale_total", "Connections destroyed because they predate an outage or a switch of target", (s) => s.discarded.stale],
  ["sluice_db_pool_discarded_idle_total", "Connections closed after idling past the limit or reaching their lifetime", (s) => s.discarded.idle],
  ["sluice_db_pool_cancels_sent_total", "CancelRequests sent (only for connections that are destroyed afterwards)", (s) => s.connections.cancelsSent],
  ["sluice_db_pool_errors_total", "Query errors that were not connection failures", (s) => s.errors],
];

function poolStats(): RolePoolStats[] {
  return openPools().map((pool) => pool.stats());
}

export function registerPoolMetrics(registry: Registry): void {
  for (const [name, help, pick] of GAUGES) {
    new Gauge({
      name,
      help,
      labelNames: ["role"] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const stats of poolStats()) this.set({ role: stats.role }, pick(stats));
      },
    });
  }
  for (const [name, help, pick] of COUNTERS) {
    new Counter({
      name,
      help,
      labelNames: ["role"] as const,
      registers: [registry],
      collect() {
        // The source is already cumulative; a reset + inc copies it without drifting.
        this.reset();
        for (const stats of poolStats()) this.inc({ role: stats.role }, pick(stats));
      },
    });
  }
}
