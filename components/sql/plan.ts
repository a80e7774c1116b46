/** A node of `EXPLAIN (FORMAT JSON)`, with the fields the plan view shows; Postgres adds many more. */
export interface PlanNode {
  "Node Type": string;
  "Relation Name"?: string;
  "Index Name"?: string;
  "Join Type"?: string;
  Alias?: string;
  "Startup Cost"?: number;
  "Total Cost"?: number;
  "Plan Rows"?: number;
  "Actual Rows"?: number;
  "Actual Total Time"?: number;
  "Actual Loops"?: number;
  Filter?: string;
  "Index Cond"?: string;
  "Hash Cond"?: string;
  Plans?: PlanNode[];
}

export interface Plan {
  root: PlanNode;
  analyzed: boolean;
  planningMs: number | null;
  executionMs: number | null;
}

export const EXPLAIN_PREFIX = "EXPLAIN (FORMAT JSON) ";
export const EXPLAIN_ANALYZE_PREFIX = "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ";

/** The plan in the SQL API's answer to an EXPLAIN (FORMAT JSON): one row, one json cell (parsed or text). */
export function readPlan(rows: unknown[][]): Plan | null {
  let value: unknown = rows[0]?.[0];
  if (typeof value === "string") {
    try {
      value = JSON.parse(value);
    } catch {
      return null;
    }
  }
  const top = Array.isArray(value) ? (value[0] as Record<string, unknown> | undefined) : undefined;
  const root = top?.Plan as PlanNode | undefined;
  if (!root || typeof root["Node Type"] !== "string") return null;
  const ms = (key: string) => (typeof top![key] === "number" ? (top![key] as number) : null);
  return { root, analyzed: typeof root["Actual Total Time"] === "number", planningMs: ms("Planning Time"), executionMs: ms("Execution Time") };
}

/** What makes a node expensive: measured time when analysed, else the planner's total cost. */
function weight(node: PlanNode, analyzed: boolean): number {
  if (analyzed) return (node["Actual Total Time"] ?? 0) * (node["Actual Loops"] ?? 1);
  return node["Total Cost"] ?? 0;
}

/**
 * The hot path: from the root, always into the most expensive child. Returned as paths of child
 * indexes ("", "0", "0.1" …), so the view can mark nodes without identities of their own.
 */
export function hotPath(plan: Plan): Set<string> {
  const path = new Set<string>([""]);
  let node = plan.root;
  let at = "";
  while (node.Plans && node.Plans.length > 0) {
    let best = 0;
    node.Plans.forEach((child, i) => {
      if (weight(child, plan.analyzed) > weight(node.Plans![best]!, plan.analyzed)) best = i;
    });
    at = at === "" ? String(best) : `${at}.${best}`;
    path.add(at);
    node = node.Plans[best]!;
  }
  return path;
}

/** A node's one-line title: what it does and to what. */
export function nodeTitle(node: PlanNode): string {
  const on = node["Relation Name"] ? ` on ${node["Relation Name"]}${node.Alias && node.Alias !== node["Relation Name"] ? ` ${node.Alias}` : ""}` : "";
  const using = node["Index Name"] ? ` using ${node["Index Name"]}` : "";
  const join = node["Join Type"] && node["Join Type"] !== "Inner" ? `${node["Join Type"]} ` : "";
  return `${join}${node["Node Type"]}${using}${on}`;
}
