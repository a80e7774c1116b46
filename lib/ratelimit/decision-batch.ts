import "server-only";
import type { RateLimitDecisionKind } from "@/lib/redis/keys";
import type { PolicyName } from "@/lib/ratelimit/policies";

/**
 * Dashboard counts gathered in process between two writes to Redis: the hot
 * path only bumps a number, and one pipeline of INCRBYs carries a second's
 * worth of decisions instead of one pipeline per request. Pure, no I/O.
 */
export interface DecisionCount {
  policy: PolicyName;
  decision: RateLimitDecisionKind;
  minuteBucket: number;
  count: number;
}

export interface RefusalCount {
  policy: PolicyName;
  minuteBucket: number;
  identifier: string;
  count: number;
}

export class DecisionBatch {
  private decisions = new Map<string, DecisionCount>();
  private refusals = new Map<string, RefusalCount>();

  add(policy: PolicyName, decision: RateLimitDecisionKind, minuteBucket: number, identifier?: string): void {
    const key = `${policy}\n${decision}\n${minuteBucket}`;
    const found = this.decisions.get(key);
    if (found) found.count++;
    else this.decisions.set(key, { policy, decision, minuteBucket, count: 1 });
    if (decision !== "limited" || !identifier) return;
    const refusalKey = `${policy}\n${minuteBucket}\n${identifier}`;
    const refusal = this.refusals.get(refusalKey);
    if (refusal) refusal.count++;
    else this.refusals.set(refusalKey, { policy, minuteBucket, identifier, count: 1 });
  }

  get empty(): boolean {
    return this.decisions.size === 0;
  }

  /** Everything gathered so far; the batch starts over empty. */
  drain(): { decisions: DecisionCount[]; refusals: RefusalCount[] } {
    const drained = { decisions: [...this.decisions.values()], refusals: [...this.refusals.values()] };
    this.decisions = new Map();
    this.refusals = new Map();
    return drained;
  }
}
