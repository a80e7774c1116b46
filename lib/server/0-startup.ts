import "server-only";
import { env, EnvError, refusalMessage } from "@/lib/env";

/** A bad configuration stops the process here, with every problem listed, not on the first request. */
export async function onServerStart(): Promise<void> {
  try {
    env();
  } catch (error) {
    if (!(error instanceof EnvError)) throw error;
    console.error(refusalMessage(error));
    process.exit(78); // EX_CONFIG
  }
  // SIGTERM/SIGINT: drain in-flight requests, then close pools and Redis (see lib/server/2-shutdown.ts).
  // First of the request hooks, so that refusals below also say `Connection: close` while draining.
  const { installShutdownHandlers } = await import("@/lib/server/2-shutdown");
  installShutdownHandlers();
  // Requests Next would answer outside the error shape (odd methods, %ZZ, unknown API paths,
  // foreign-origin server actions, unparseable HTTP): refused in the shape before Next.
  const { installRequestChecks } = await import("@/lib/server/3-request-checks");
  installRequestChecks();
  // Refuse /api/v1 requests above the in-flight limit before Next spends work on them.
  const { installAdmissionControl } = await import("@/lib/server/3-admission");
  installAdmissionControl();
  // One log line per page request (API routes and server actions write their own).
  const { installAccessLog } = await import("@/lib/server/4-access-log");
  installAccessLog();
  // Token-authenticated table reads: the same gate and handler, without Next's router (inside the access log's context).
  const { installDirectApi } = await import("@/lib/server/4-direct-api");
  installDirectApi();
  // Pool history for the admin dashboard and this instance's fleet heartbeat (unref'd timers).
  const { startFleetHeartbeat } = await import("@/lib/fleet/heartbeat");
  startFleetHeartbeat();
}
