/**
 * The top plan node of an `EXPLAIN (FORMAT JSON)` result, whether the driver parsed the json
 * column or returned it as text; null when the shape is unexpected. Pure.
 */
export function readTopPlanNode(rows: unknown): Record<string, unknown> | null {
  if (!Array.isArray(rows) || rows.length === 0) return null;
  const row: unknown = rows[0];
  let plan: unknown = row !== null && typeof row === "object" ? Object.values(row)[0] : row;
  if (typeof plan === "string") {
    try {
      plan = JSON.parse(plan);
    } catch {
      return null;
    }
  }
  const top: unknown = Array.isArray(plan) ? plan[0] : null;
  const node = top !== null && typeof top === "object" ? (top as { Plan?: unknown }).Plan : null;
  return node !== null && typeof node === "object" ? (node as Record<string, unknown>) : null;
}
