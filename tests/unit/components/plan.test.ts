import { describe, expect, it } from "vitest";
import { hotPath, nodeTitle, readPlan } from "@/components/sql/plan";

const explained = [
  {
    Plan: {
      "Node Type": "Hash Join",
      "Join Type": "Inner",
      "Total Cost": 120,
      Plans: [
        { "Node Type": "Seq Scan", "Relation Name": "orders", Alias: "o", "Total Cost": 90 },
        {
          "Node Type": "Hash",
          "Total Cost": 20,
          Plans: [{ "Node Type": "Index Scan", "Relation Name": "customers", "Index Name": "customers_pkey", "Total Cost": 19 }],
        },
      ],
    },
    "Planning Time": 0.2,
  },
];

describe("plans", () => {
  it("reads the plan from a parsed or a text json cell", () => {
    expect(readPlan([[explained]])!.root["Node Type"]).toBe("Hash Join");
    expect(readPlan([[JSON.stringify(explained)]])!.planningMs).toBe(0.2);
    expect(readPlan([["not json"]])).toBeNull();
    expect(readPlan([])).toBeNull();
  });

  it("follows the most expensive child: by cost when estimated", () => {
    expect([...hotPath(readPlan([[explained]])!)]).toEqual(["", "0"]);
  });

  it("follows measured time when analysed, loops included", () => {
    const analysed = structuredClone(explained);
    const [scan, hash] = analysed[0]!.Plan.Plans as Array<Record<string, unknown>>;
    Object.assign(analysed[0]!.Plan, { "Actual Total Time": 10, "Actual Loops": 1 });
    Object.assign(scan!, { "Actual Total Time": 1, "Actual Loops": 1 });
    Object.assign(hash!, { "Actual Total Time": 0.5, "Actual Loops": 4 });
    Object.assign((hash!.Plans as Array<Record<string, unknown>>)[0]!, { "Actual Total Time": 0.4, "Actual Loops": 4 });
    const plan = readPlan([[analysed]])!;
    expect(plan.analyzed).toBe(true);
    expect([...hotPath(plan)]).toEqual(["", "1", "1.0"]);
  });

  it("titles a node by what it does and to what", () => {
    expect(nodeTitle({ "Node Type": "Index Scan", "Index Name": "customers_pkey", "Relation Name": "customers", Alias: "c" })).toBe(
      "Index Scan using customers_pkey on customers c",
    );
    expect(nodeTitle({ "Node Type": "Hash Join", "Join Type": "Left" })).toBe("Left Hash Join");
  });
});
