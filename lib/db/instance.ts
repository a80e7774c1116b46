import "server-only";
import { hostname } from "node:os";
import { env } from "@/lib/env";

/** Names this app process in pg_stat_activity, the fleet view and logs. */
export function instanceId(): string {
  return env().INSTANCE_ID ?? `${hostname().slice(0, 24)}-${process.pid}`;
}
