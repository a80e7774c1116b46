import { hotPath, nodeTitle, type Plan, type PlanNode } from "@/components/sql/plan";

const number = new Intl.NumberFormat("en-US", { maximumFractionDigits: 2 });

/** EXPLAIN's plan as an indented tree: estimates (and measurements when analysed), the hot path marked. */
export function PlanTree({ plan }: { plan: Plan }) {
  const hot = hotPath(plan);
  return (
    <section className="space-y-2 rounded-xl border border-slate-200 bg-white p-4 shadow-sm" aria-label="Query plan" data-testid="plan-tree">
      <h2 className="flex flex-wrap items-baseline gap-x-3 text-sm font-semibold text-slate-700">
        {plan.analyzed ? "Plan, as executed" : "Plan, as estimated"}
        <span className="text-xs font-normal text-slate-500">
          {plan.planningMs !== null ? `planning ${number.format(plan.planningMs)} ms` : ""}
          {plan.executionMs !== null ? ` · execution ${number.format(plan.executionMs)} ms` : ""}
          {" · "}
          <span className="rounded bg-amber-100 px-1 text-amber-900">highlighted</span> = the most expensive path
        </span>
      </h2>
      <ol className="space-y-1 overflow-x-auto text-sm">
        <PlanItem node={plan.root} path="" hot={hot} analyzed={plan.analyzed} />
      </ol>
    </section>
  );
}

function PlanItem({ node, path, hot, analyzed }: { node: PlanNode; path: string; hot: Set<string>; analyzed: boolean }) {
  const isHot = hot.has(path);
  const condition = node["Index Cond"] ?? node["Hash Cond"] ?? node.Filter;
  return (
    <li>
      <div
        className={`rounded-md px-2 py-1 ${isHot ? "bg-amber-50 ring-1 ring-amber-200" : ""}`}
        data-hot={isHot || undefined}
        data-testid="plan-node"
      >
        <span className="font-medium text-slate-800">{nodeTitle(node)}</span>
        <span className="ml-2 text-xs whitespace-nowrap text-slate-500">
          rows ≈ {number.format(node["Plan Rows"] ?? 0)} · cost {number.format(node["Startup Cost"] ?? 0)}..{number.format(node["Total Cost"] ?? 0)}
          {analyzed
            ? ` · actual ${number.format(node["Actual Rows"] ?? 0)} rows in ${number.format(node["Actual Total Time"] ?? 0)} ms × ${node["Actual Loops"] ?? 1}`
            : ""}
        </span>
        {condition ? <div className="truncate font-mono text-xs text-slate-500">{condition}</div> : null}
      </div>
      {node.Plans && node.Plans.length > 0 ? (
        <ol className="mt-1 ml-4 space-y-1 border-l border-slate-200 pl-3">
          {node.Plans.map((child, i) => (
            <PlanItem key={i} node={child} path={path === "" ? String(i) : `${path}.${i}`} hot={hot} analyzed={analyzed} />
          ))}
        </ol>
      ) : null}
    </li>
  );
}
