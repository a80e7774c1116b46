import "server-only";
import type { ClientSettings } from "@/lib/db/pool/slot";
import type { RolePoolConfig } from "@/lib/db/pool/types";

/**
 * Where a role's connections go: through the external pooler (PgBouncer, Supavisor) when one is
 * configured, or straight to Postgres — for good once the pooler could not be reached (a
 * fallback the stats and the home page show).
 */
export class PoolTarget {
  current: "direct" | "pooler";
  fallbackToDirect = false;

  constructor(private readonly config: Pick<RolePoolConfig, "directUrl" | "poolerUrl" | "connectTimeoutS" | "applicationName">) {
    this.current = config.poolerUrl ? "pooler" : "direct";
  }

  get url(): string {
    return this.current === "pooler" && this.config.poolerUrl ? this.config.poolerUrl : this.config.directUrl;
  }

  /** Gives up the pooler; false when there was none to give up. */
  fallBack(): boolean {
    if (this.current === "direct") return false;
    this.current = "direct";
    this.fallbackToDirect = true;
    return true;
  }

  settings(): ClientSettings {
    return {
      url: this.url,
      connectTimeoutS: this.config.connectTimeoutS,
      // Transaction-mode poolers cannot keep named prepared statements across transactions.
      prepare: this.current !== "pooler",
      applicationName: this.config.applicationName,
    };
  }
}
