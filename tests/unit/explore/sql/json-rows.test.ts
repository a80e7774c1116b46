import { describe, expect, it } from "vitest";
import { ExploreError } from "@/lib/explore/errors";
import { parseReadRequest } from "@/lib/explore/grammar";
import { buildJsonRowsQuery, buildReadQuery } from "@/lib/explore/sql";
import { catalog, people } from "@/tests/unit/explore/catalog-fixture";

const build = (query: string) =>
  buildJsonRowsQuery(buildReadQuery(catalog, people, parseReadRequest({ params: new URLSearchParams(query) }), { rowCap: 50 }));

describe("the JSON rows query", () => {
  it("wraps the ranged query, keys the rows with the output names and counts the page beside them", () => {
    const inner = buildReadQuery(catalog, people, parseReadRequest({ params: new URLSearchParams("select=who:name,id&id=gt.3") }), { rowCap: 50 });
    const q = buildJsonRowsQuery(inner);
    expect(q.text).toBe(`SELECT to_json(t)::text, count(*) OVER (), 0 FROM (${inner.text}) t("who", "id")`);
    expect(q.params).toEqual(["3"]);
  });

  it("adds up the lengths of the embedded arrays over the page, keys below the row bound", () => {
    const inner = buildReadQuery(
      catalog,
      { schema: "data", name: "pets" },
      parseReadRequest({ params: new URLSearchParams("select=id,o:people(name,pets(id))&id=gt.1") }),
      { rowCap: 50 },
    );
    expect(inner.arrays).toEqual([{ path: ["o", "pets"], inner: [] }]);
    const q = buildJsonRowsQuery(inner);
    expect(q.text).toBe(
      `SELECT to_json(t)::text, count(*) OVER (), sum(coalesce(json_array_length((t."o" #> ARRAY[$2::text])), 0)) OVER () FROM (${inner.text}) t("id", "o")`,
    );
    expect(q.params).toEqual(["1", "pets"]);
  });

  it("counts nested arrays in each element of the array they sit in, keys bound in the order they nest", () => {
    const inner = buildReadQuery(
      catalog,
      people,
      parseReadRequest({ params: new URLSearchParams("select=id,p:pets(id,toys(id),o:people(pets(id)))&id=gt.1") }),
      { rowCap: 50 },
    );
    const q = buildJsonRowsQuery(inner);
    expect(q.text).toBe(
      'SELECT to_json(t)::text, count(*) OVER (), sum(coalesce(json_array_length(t."p"), 0) + (SELECT coalesce(sum(' +
        "coalesce(json_array_length((_a1.v #> ARRAY[$2::text])), 0) + coalesce(json_array_length((_a1.v #> ARRAY[$3::text, $4::text])), 0)" +
        `), 0) FROM json_array_elements(t."p") AS _a1(v))) OVER () FROM (${inner.text}) t("id", "p")`,
    );
    expect(q.params).toEqual(["1", "toys", "o", "pets"]);
  });

  it("writes an alias only as one quoted identifier, whatever it holds", () => {
    const q = build('select="a\\")--":name');
    expect(q.text).toMatch(/\) t\("a""\)--"\)$/);
  });

  it.each([["x".repeat(64)], ["é".repeat(32)], ["a\u0000b"]])("refuses an alias Postgres would cut or reject (%#)", (alias) => {
    expect(() => build(`select=${encodeURIComponent(`"${alias}"`)}:name`)).toThrow(ExploreError);
  });

  it("accepts an alias of exactly 63 bytes", () => {
    expect(build(`select=${"x".repeat(63)}:name`).text).toContain(`t("${"x".repeat(63)}")`);
  });
});

describe("JSON paths in the data query", () => {
  it("binds path keys and indexes, and none for an empty in-list that writes no operand", () => {
    const q = buildReadQuery(catalog, people, parseReadRequest({ params: new URLSearchParams("select=k:meta->a->>0&doc->>k=eq.x") }), { rowCap: 5 });
    expect(q.params).toEqual(["a", "0", "k", "x"]);
    expect(q.text).toContain('(("meta" -> $1::text) ->> $2::text::int4)');
    const empty = buildReadQuery(catalog, people, parseReadRequest({ params: new URLSearchParams("meta->0=in.()") }), { rowCap: 5 });
    expect(empty.params).toEqual([]);
    expect(empty.text).toContain("WHERE FALSE");
  });
});
