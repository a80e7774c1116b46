/** The pool, as the rest of the app sees it. The return contract is at the top of role-pool.ts. */
export { RolePool } from "./role-pool";
export type { RolePoolConfig, RolePoolStats, Unit, PoolHealth, DiscardCounters } from "./types";
export { PoolError, isPoolError, neverStarted, type PoolErrorReason } from "./errors";
export { isConnectError, isConnectionLevelError, errorCodes } from "./connection-errors";
export type { ConnectionCounters } from "./connection-tracker";
