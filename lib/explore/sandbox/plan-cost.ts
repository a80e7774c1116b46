import "server-only";
import { readTopPlanNode } from "@/lib/explore/sql";

/** "Total Cost" of the top plan node of an `EXPLAIN (FORMAT JSON)` result; null if absent. */
export function readPlanCost(rows: unknown): number | null {
  const cost = readTopPlanNode(rows)?.["Total Cost"];
  return typeof cost === "number" && Number.isFinite(cost) ? cost : null;
}
