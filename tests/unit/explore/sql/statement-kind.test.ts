import { describe, expect, it } from "vitest";
import { checkStatement } from "@/lib/explore/sql";

describe("checkStatement", () => {
  it("passes a word no statement begins with as unknown, for Postgres' parser to report", () => {
    expect(checkStatement("selec 1")).toEqual({ keyword: "selec", unknown: true });
    expect(checkStatement("-- typo\n(SELEC 1)")).toEqual({ keyword: "selec", unknown: true });
    expect(checkStatement("foo bar")).toEqual({ keyword: "foo", unknown: true });
  });

  it("refuses every real write or session statement by name (control: reads pass as known)", () => {
    for (const statement of [
      "INSERT INTO t VALUES (1)",
      "update t set a = 1",
      "DROP TABLE t",
      "vacuum",
      "set role x",
      "prepare p as select 1",
      "copy t to stdout",
      "do $$ begin end $$",
    ]) {
      expect(() => checkStatement(statement), statement).toThrow(/Only read queries may run here/);
    }
    for (const statement of ["select 1", "WITH x AS (SELECT 1) SELECT * FROM x", "values (1)", "table t", "explain select 1", "show work_mem"]) {
      expect(checkStatement(statement).unknown, statement).toBe(false);
    }
  });
});
