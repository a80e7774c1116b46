import "server-only";
/** The pool, as the rest of the app sees it. The return contract is at the top of role-pool.ts. */
export { RolePool } from "@/lib/db/pool/role-pool";
export type { RolePoolConfig, RolePoolStats, Unit, PoolHealth, DiscardCounters } from "@/lib/db/pool/types";
export { PoolError, isPoolError, neverStarted, type PoolErrorReason } from "@/lib/db/pool/errors";
export { isConnectError, isConnectionLevelError, isDatabaseBusy, isServerError, errorCodes } from "@/lib/db/pool/connection-errors";
export type { ConnectionCounters } from "@/lib/db/pool/connection-tracker";
