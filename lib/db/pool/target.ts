import "server-only";
import type { ClientSettings } from "@/lib/db/pool/slot";
import type { RolePoolConfig } from "@/lib/db/pool/types";

/**
 * Where a role's connections go: through the external pooler (PgBouncer, Supavisor) when one is
 * configured, or straight to Postgres — for good once the pooler could not be reached (a
 * fallback the stats and the home page show).
 */
/** After a fallback to the direct host, how often the pooler is tried again. */
const POOLER_RETRY_MS = 5000;

export class PoolTarget {
  current: "direct" | "pooler";
  fallbackToDirect = false;
  /** After a fallback: when to try the pooler again (see RolePool.retryPooler()). */
  private retryAt = 0;

  constructor(private readonly config: Pick<RolePoolConfig, "directUrl" | "poolerUrl" | "connectTimeoutS" | "applicationName">) {
    this.current = config.poolerUrl ? "pooler" : "direct";
  }

  get url(): string {
    return this.current === "pooler" && this.config.poolerUrl ? this.config.poolerUrl : this.config.directUrl;
  }

  /** Gives up the pooler for now; false when there was none to give up. */
  fallBack(): boolean {
    if (this.current === "direct") return false;
    this.current = "direct";
    this.fallbackToDirect = true;
    this.retryAt = Date.now() + POOLER_RETRY_MS;
    return true;
  }

  /**
   * Whether to try the pooler again now: a pooler unreachable for a moment (a PgBouncer restart)
   * must not leave the role on the direct host for the rest of the process's life, bypassing
   * the pooler the deployment sized its connections for. Claims the try (one per interval).
   */
  claimRetry(): boolean {
    if (!this.fallbackToDirect || !this.config.poolerUrl || Date.now() < this.retryAt) return false;
    this.retryAt = Date.now() + POOLER_RETRY_MS;
    return true;
  }

  backToPooler(): void {
    this.current = "pooler";
    this.fallbackToDirect = false;
  }

  settings(target: "direct" | "pooler" = this.current): ClientSettings {
    return {
      url: target === "pooler" && this.config.poolerUrl ? this.config.poolerUrl : this.config.directUrl,
      connectTimeoutS: this.config.connectTimeoutS,
      // Transaction-mode poolers cannot keep named prepared statements across transactions.
      prepare: target !== "pooler",
      applicationName: this.config.applicationName,
    };
  }
}
