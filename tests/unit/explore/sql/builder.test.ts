import { describe, expect, it } from "vitest";
import { ExploreError, type ExploreErrorReason } from "@/lib/explore/errors";
import { parseReadRequest, type ReadRequest } from "@/lib/explore/grammar";
import {
  buildEstimateQuery,
  buildExactCountQuery,
  buildPlannedCountQuery,
  buildReadQuery,
  readPlannedCount,
  shouldCountExactly,
  type ReadQuery,
} from "@/lib/explore/sql";
import { catalog, people } from "@/tests/unit/explore/catalog-fixture";

const ROW_CAP = 1000;

function request(query: string, headers: { range?: string; prefer?: string } = {}): ReadRequest {
  return parseReadRequest({ params: new URLSearchParams(query), ...headers });
}

function build(query: string, headers: { range?: string } = {}): ReadQuery {
  return buildReadQuery(catalog, people, request(query, headers), { rowCap: ROW_CAP });
}

/** SQL after `FROM "data"."people"`, which every people query shares. */
function tail(query: string): string {
  return build(query).text.split('FROM "data"."people"')[1]!.trim();
}

function failure(query: string, run: (query: string) => unknown = build): ExploreError {
  try {
    run(query);
  } catch (error) {
    expect(error).toBeInstanceOf(ExploreError);
    return error as ExploreError;
  }
  throw new Error(`expected ${query} to fail`);
}

function expectReason(query: string, reason: ExploreErrorReason): ExploreError {
  const error = failure(query);
  expect(error.reason).toBe(reason);
  return error;
}

describe("data query", () => {
  it("expands * to the catalog columns in ordinal order and applies the row cap", () => {
    const q = build("");
    expect(q.text).toMatch(
      /^SELECT "id", "name", "email", .*"we""ird", "my col", "a\.b", "select", "and" FROM "data"\."people" LIMIT 1000 OFFSET 0$/,
    );
    expect(q.params).toEqual([]);
    expect(q.columns[0]).toEqual({ name: "id", column: "id", type: "int4", nullable: false });
    expect(q).toMatchObject({ limit: 1000, offset: 0 });
  });

  it("keeps aliases out of SQL and reports them as output names", () => {
    const q = build("select=who:name,score::text,n:id::int8");
    expect(q.text).toBe('SELECT "name", "score"::text, "id"::int8 FROM "data"."people" LIMIT 1000 OFFSET 0');
    expect(q.columns.map((c) => [c.name, c.type])).toEqual([
      ["who", "text"],
      ["score", "text"],
      ["n", "int8"],
    ]);
  });

  it("clamps limit to the row cap and keeps offset", () => {
    expect(build("limit=5000&offset=7")).toMatchObject({ limit: 1000, offset: 7 });
    expect(build("limit=0")).toMatchObject({ limit: 0 });
    expect(build("", { range: "20-29" }).text).toMatch(/LIMIT 10 OFFSET 20$/);
  });

  it("renders comparisons with typed placeholders", () => {
    const q = build("id=eq.5&age=gte.18&score=lt.1.5e3&born=gt.2020-02-29&active=neq.true&uid=eq.a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
    expect(q.text).toContain(
      'WHERE "id" = $1::text::int4 AND "age" >= $2::text::int2 AND "score" < $3::text::numeric AND "born" > $4::text::date AND "active" <> $5::text::bool AND "uid" = $6::text::uuid',
    );
    expect(q.params).toEqual(["5", "18", "1.5e3", "2020-02-29", "true", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"]);
  });

  it("compares json as jsonb and leaves enum/array placeholders to inference", () => {
    expect(tail('doc=eq.{"a":1}&meta=eq.[1]&mood=eq.happy&tags=eq.{a,b}')).toBe(
      'WHERE "doc"::jsonb = $1::text::jsonb AND "meta" = $2::text::jsonb AND "mood" = $3 AND "tags" = $4 LIMIT 1000 OFFSET 0',
    );
  });

  it("turns * into % for like/ilike and compares non-text columns as text", () => {
    const q = build("name=like.*an*&email=ilike.A_*&id=like.1*");
    expect(q.text).toContain('"name" LIKE $1::text AND "email" ILIKE $2::text AND "id"::text LIKE $3::text');
    expect(q.params).toEqual(["%an%", "A_%", "1%"]);
  });

  it("renders in, is and not.", () => {
    expect(tail("id=in.(1,2)&name=not.in.(a,b)&born=is.null&name=not.is.null&email=is.not_null&active=is.unknown&id=in.()")).toBe(
      'WHERE "id" IN ($1::text::int4, $2::text::int4) AND NOT ("name" IN ($3::text, $4::text)) AND "born" IS NULL AND NOT ("name" IS NULL)' +
        ' AND "email" IS NOT NULL AND "active" IS UNKNOWN AND FALSE LIMIT 1000 OFFSET 0',
    );
  });

  it("renders nested logic with parentheses in parameter order", () => {
    const q = build("age=gt.1&or=(id.eq.1,and(name.eq.x,not.or(id.in.(2,3),active.is.false)),age.not.eq.30)");
    expect(q.text).toContain(
      'WHERE "age" > $1::text::int2 AND ("id" = $2::text::int4 OR ("name" = $3::text AND NOT (("id" IN ($4::text::int4, $5::text::int4) OR "active" IS FALSE))) OR NOT ("age" = $6::text::int2))',
    );
    expect(q.params).toEqual(["1", "1", "x", "2", "3", "30"]);
  });

  it("orders with directions and nulls placement", () => {
    expect(tail("order=age.desc.nullslast,name,id.nullsfirst,doc")).toBe(
      'ORDER BY "data"."people"."age" DESC NULLS LAST, "data"."people"."name" ASC, "data"."people"."id" ASC NULLS FIRST, "data"."people"."doc"::jsonb ASC LIMIT 1000 OFFSET 0',
    );
  });

  it("quotes awkward catalog names safely", () => {
    const q = build('select="we\\"ird","my col"&order="a.b".desc&%22we%5C%22ird%22=eq.x');
    expect(q.text).toBe(
      'SELECT "we""ird", "my col" FROM "data"."people" WHERE "we""ird" = $1::text ORDER BY "data"."people"."a.b" DESC LIMIT 1000 OFFSET 0',
    );
  });

  it("understands format_type spellings in the catalog", () => {
    const q = buildReadQuery(catalog, { schema: "data", name: "people_view" }, request("id=eq.1&name=eq.x"), { rowCap: 10 });
    expect(q.text).toBe('SELECT "id", "name" FROM "data"."people_view" WHERE "id" = $1::text::int4 AND "name" = $2::text::varchar LIMIT 10 OFFSET 0');
  });
});

describe("refusals", () => {
  it("names the unknown column and relation", () => {
    const error = expectReason("nope=eq.1", "unknown_column");
    expect(error.message).toBe('Unknown column "nope" in relation "data.people"');
    expect(error.details).toMatchObject({ column: "nope", relation: "data.people" });
    expect(error.status).toBe(400);
  });

  it("404s an unknown relation", () => {
    const run = () => buildReadQuery(catalog, { schema: "data", name: "nope" }, request(""), { rowCap: 1 });
    expect(run).toThrow(ExploreError);
    expect(() => run()).toThrow(expect.objectContaining({ status: 404, code: "not_found" }));
  });

  it.each([
    "id=eq.abc",
    "id=eq.1.5",
    "id=eq.99999999999",
    "age=eq.40000",
    "big=eq.9223372036854775808",
    "score=eq.1e5000",
    "ratio=eq.1e400",
    "active=eq.maybe",
    "born=eq.2021-02-29",
    "born=eq.0000-01-01",
    "created_at=eq.2024-01-01T10:00:00 02:00",
    "wake=eq.25:00",
    "uid=eq.not-a-uuid",
    "meta=eq.{bad json",
    "id=in.(1,x)",
    "name=eq.a%00b",
  ])("refuses a bad value: %s", (query) => {
    const error = expectReason(query, "bad_value");
    expect(error.message).toMatch(/Bad value .* for column ".+" of type \w+: expected/);
  });

  it("accepts the values Postgres accepts", () => {
    for (const query of [
      "id=eq.-2147483648",
      "big=eq.9223372036854775807",
      "score=eq.NaN",
      "score=eq.-.5E-3",
      "ratio=eq.-Infinity",
      "active=eq.YES",
      "born=eq.2024-02-29",
      "born=eq.infinity",
      "created_at=eq.2024-01-01T10:00:00.123456Z",
      "created_at=eq.2024-01-01 10:00%2B05:30",
      "local_ts=eq.2024-01-01",
      "wake=eq.07:30",
      "uid=eq.{A0EEBC999C0B4EF8BB6D6BB9BD380A11}",
      "meta=eq.null",
    ]) {
      expect(() => build(query), query).not.toThrow();
    }
  });

  it.each([
    ["spot=eq.(1,2)", "operator_not_supported"],
    ["order=spot", "operator_not_supported"],
    ["name=is.true", "operator_not_supported"],
    ["select=name::int4", "bad_cast"],
    ["select=big::int4", "bad_cast"],
    ["select=id,id", "duplicate_output_name"],
    ["select=*,name", "duplicate_output_name"],
  ] as const)("refuses %s", (query, reason) => {
    expectReason(query, reason);
  });
});

describe("hostile sizes", () => {
  it("handles very long values and names in linear time", () => {
    const long = "9".repeat(200_000);
    const started = performance.now();
    for (const query of [
      `score=eq.${long}x`,
      `ratio=eq.${long}`,
      `id=eq.${long}`,
      `created_at=eq.2024-01-01T${long}`,
      `select=id::${" ".repeat(200_000)}x`,
      `select=id::${"[]".repeat(100_000)}a[]`,
      `order=${"a.".repeat(100_000)}`,
      `or=(${"(".repeat(100_000)}`,
      `${"x".repeat(200_000)}=eq.1`,
    ]) {
      expect(() => build(query), query.slice(0, 40)).toThrow(ExploreError);
    }
    expect(build(`name=eq.${long}`).params).toEqual([long]);
    expect(build(`name=in.(${'"'.repeat(100_001)})`).params).toEqual(['"'.repeat(100_001)]);
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});

describe("injection attempts", () => {
  it.each([
    "select=id;drop table x",
    'select="id"--',
    "select=id/*",
    'select=id" from pg_authid --',
    "order=id;drop table x",
    "order=id desc, (select 1)",
    'order="id"--.desc',
    "id;drop table x=eq.1",
    '"id" or 1=1 --=eq.1',
    "or=(id;drop table x.eq.1)",
  ])("refuses identifiers that are not in the catalog: %s", (query) => {
    const error = failure(query);
    expect(error.status).toBe(400);
  });

  it.each([
    ["name=eq.x'; drop table people; --", "x'; drop table people; --"],
    ['name=eq." OR 1=1 --', '" OR 1=1 --'],
    ["name=like.*'--*", "%'--%"],
    ["name=eq.$1", "$1"],
    ["name=eq.) OR (1=1", ") OR (1=1"],
  ])("binds hostile values as parameters: %s", (query, value) => {
    const q = build(query);
    expect(q.params).toEqual([value]);
    const op = query.includes("like") ? "LIKE" : "=";
    expect(tail(query)).toBe(`WHERE "name" ${op} $1::text LIMIT 1000 OFFSET 0`);
    expect(q.text.startsWith('SELECT "id", "name", "email", ')).toBe(true);
  });

  it("binds hostile values inside lists and logic", () => {
    const q = build(`or=(name.eq."a'),(b",name.in.("x;--",y))`);
    expect(q.params).toEqual(["a'),(b", "x;--", "y"]);
    expect(tail(`or=(name.eq."a'),(b",name.in.("x;--",y))`)).toBe('WHERE ("name" = $1::text OR "name" IN ($2::text, $3::text)) LIMIT 1000 OFFSET 0');
  });
});

describe("count queries", () => {
  const r = request("age=gt.30&or=(name.like.A*,name.is.null)");

  it("counts exactly over the same filters and params", () => {
    expect(buildExactCountQuery(catalog, people, r, { rowCap: ROW_CAP })).toEqual({
      text: 'SELECT count(*) FROM "data"."people" WHERE "age" > $1::text::int2 AND ("name" LIKE $2::text OR "name" IS NULL)',
      params: ["30", "A%"],
    });
  });

  it("plans a count with EXPLAIN", () => {
    const q = buildPlannedCountQuery(catalog, people, r, { rowCap: ROW_CAP });
    expect(q.text).toBe(
      'EXPLAIN (FORMAT JSON) SELECT 1 FROM "data"."people" WHERE "age" > $1::text::int2 AND ("name" LIKE $2::text OR "name" IS NULL)',
    );
  });

  it("reads reltuples with the names bound", () => {
    const q = buildEstimateQuery(catalog, people);
    expect(q.params).toEqual(["data", "people"]);
    expect(q.text).toContain("pg_catalog.pg_class");
  });

  it("reads Plan Rows whether the driver parsed the JSON or not", () => {
    const plan = [{ Plan: { "Node Type": "Seq Scan", "Plan Rows": 1234.4 } }];
    expect(readPlannedCount([{ "QUERY PLAN": plan }])).toBe(1234);
    expect(readPlannedCount([{ "QUERY PLAN": JSON.stringify(plan) }])).toBe(1234);
    expect(readPlannedCount([])).toBeNull();
    expect(readPlannedCount([{ "QUERY PLAN": "nope" }])).toBeNull();
    expect(readPlannedCount("x")).toBeNull();
  });

  it("decides when an estimated count is worth counting exactly", () => {
    expect(shouldCountExactly(10, 1000)).toBe(true);
    expect(shouldCountExactly(null, 1000)).toBe(true);
    expect(shouldCountExactly(5000, 1000)).toBe(false);
  });
});

describe("hand-built requests", () => {
  it("re-checks the page and operators", () => {
    const base = request("");
    expect(() => buildReadQuery(catalog, people, { ...base, page: { offset: -1, limit: null } }, { rowCap: 5 })).toThrow(ExploreError);
    expect(() => buildReadQuery(catalog, people, { ...base, page: { offset: 0, limit: 1.5 } }, { rowCap: 5 })).toThrow(ExploreError);
    const bogus = { ...base, where: [{ kind: "filter", column: "id", negated: false, op: "regex", value: "x" }] } as unknown as ReadRequest;
    expect(() => buildReadQuery(catalog, people, bogus, { rowCap: 5 })).toThrow(ExploreError);
  });

  it("renders empty groups as their neutral element", () => {
    const base = request("");
    const q = buildReadQuery(
      catalog,
      people,
      {
        ...base,
        select: [{ kind: "column", column: "id", alias: null, cast: null }],
        where: [{ kind: "group", op: "or", negated: false, conditions: [] }],
      },
      { rowCap: 5 },
    );
    expect(q.text).toBe('SELECT "id" FROM "data"."people" WHERE (FALSE) LIMIT 5 OFFSET 0');
  });
});

describe("embedded resources", () => {
  const pets = { schema: "data", name: "pets" } as const;
  const onPets = (query: string, prefer?: string) => buildReadQuery(catalog, pets, request(query, { prefer }), { rowCap: ROW_CAP });
  const petsFailure = (query: string) => failure(query, onPets);

  it("puts the embed's filters, order and window in its subquery, values bound", () => {
    const q = build("select=id,pets(name)&pets.name=like.R*&pets.order=name.desc&pets.limit=2&pets.offset=1");
    expect(q.text).toBe(
      'SELECT "id", (SELECT coalesce(json_agg(r), \'[]\'::json) FROM (SELECT "name" FROM "data"."pets" AS "_e1" ' +
        'WHERE "_e1"."owner" = "data"."people"."id" AND "name" LIKE $1::text ORDER BY "_e1"."name" DESC, "_e1"."id" ASC LIMIT 2 OFFSET 1) r("name")) ' +
        'FROM "data"."people" LIMIT 1000 OFFSET 0',
    );
    expect(q.params).toEqual(["R%"]);
    expect(q.arrays).toEqual([{ path: ["pets"], inner: [] }]);
    expect(q.embeds).toBe(true);
  });

  it("nests a to-many inside a to-many, its parameters addressed by path, each level correlated to the one above", () => {
    const q = build("select=id,pets(id,toys(label))&pets.toys.label=like.b*&pets.toys.order=label.desc&pets.toys.limit=1&pets.limit=3");
    expect(q.text).toBe(
      "SELECT \"id\", (SELECT coalesce(json_agg(r), '[]'::json) FROM (SELECT \"id\", (SELECT coalesce(json_agg(r), '[]'::json) FROM " +
        '(SELECT "label" FROM "data"."toys" AS "_e2" WHERE "_e2"."pet" = "_e1"."id" AND "label" LIKE $1::text ' +
        'ORDER BY "_e2"."label" DESC, "_e2"."id" ASC LIMIT 1) r("label")) FROM "data"."pets" AS "_e1" ' +
        'WHERE "_e1"."owner" = "data"."people"."id" ORDER BY "_e1"."id" ASC LIMIT 3) r("id", "toys")) FROM "data"."people" LIMIT 1000 OFFSET 0',
    );
    expect(q.params).toEqual(["b%"]);
    expect(q.arrays).toEqual([{ path: ["pets"], inner: [{ path: ["toys"], inner: [] }] }]);
    // Through a to-one and a spread, the nested array's path starts at the object it sits in.
    expect(build("select=id,pets(o:people(pets(id)),...people(n:pets(id)))").arrays).toEqual([
      {
        path: ["pets"],
        inner: [
          { path: ["o", "pets"], inner: [] },
          { path: ["n"], inner: [] },
        ],
      },
    ]);
  });

  it("turns !inner at either level into nested EXISTS over the same rows", () => {
    const q = build("select=id,pets!inner(id,toys!inner(id))&pets.toys.label=eq.ball");
    expect(q.text).toContain(
      'FROM "data"."people" WHERE EXISTS (SELECT 1 FROM "data"."pets" AS "_e4" WHERE "_e4"."owner" = "data"."people"."id" AND ' +
        'EXISTS (SELECT 1 FROM "data"."toys" AS "_e5" WHERE "_e5"."pet" = "_e4"."id" AND "label" = $3::text ORDER BY "_e5"."id" ASC LIMIT 1000) ' +
        'ORDER BY "_e4"."id" ASC LIMIT 1000)',
    );
    // !inner on the inner level only: the pets shown are those with toys, every person kept.
    const innerOnly = build("select=id,pets(id,toys!inner(id))");
    expect(innerOnly.text).toContain('WHERE "_e1"."owner" = "data"."people"."id" AND EXISTS (SELECT 1 FROM "data"."toys"');
    expect(innerOnly.text).toMatch(/FROM "data"\."people" LIMIT 1000 OFFSET 0$/);
  });

  it("clamps an embedded window to the row cap", () => {
    expect(buildReadQuery(catalog, people, request("select=id,pets(id)&pets.limit=5000"), { rowCap: 50 }).text).toContain("LIMIT 50)");
  });

  it("turns !inner into an EXISTS over the same embedded rows, in the count too", () => {
    const r = request("select=id,owner:people!inner(name)&people.name=eq.Ann", { prefer: "count=exact" });
    const q = buildReadQuery(catalog, pets, r, { rowCap: ROW_CAP });
    expect(q.text).toContain(
      'FROM "data"."pets" WHERE EXISTS (SELECT 1 FROM "data"."people" AS "_e2" WHERE "_e2"."id" = "data"."pets"."owner" AND "name" = $2::text LIMIT 1)',
    );
    expect(q.params).toEqual(["Ann", "Ann"]);
    expect(buildExactCountQuery(catalog, pets, r, { rowCap: ROW_CAP })).toEqual({
      text:
        'SELECT count(*) FROM "data"."pets" WHERE EXISTS (SELECT 1 FROM "data"."people" AS "_e1" ' +
        'WHERE "_e1"."id" = "data"."pets"."owner" AND "name" = $1::text LIMIT 1)',
      params: ["Ann"],
    });
    // Without !inner the filter shapes the embed only: no condition on the parents.
    expect(onPets("select=id,people(name)&people.name=eq.Ann").text).not.toContain("EXISTS");
  });

  it("lifts a to-one spread's columns into the parent, one subquery each, and refuses a to-many spread (PGRST119)", () => {
    const q = onPets("select=id,...people(who:name,age)");
    expect(q.columns.map((c) => [c.name, c.type])).toEqual([
      ["id", "int4"],
      ["who", "text"],
      ["age", "int2"],
    ]);
    expect(q.text).toContain('(SELECT "name" FROM "data"."people" AS "_e1" WHERE "_e1"."id" = "data"."pets"."owner" LIMIT 1)');
    expect(q.text).toContain('(SELECT "age" FROM "data"."people" AS "_e1" WHERE "_e1"."id" = "data"."pets"."owner" LIMIT 1)');
    const error = expectReason("select=id,...pets(name)", "spread_not_to_one");
    expect(error.details).toMatchObject({ pgrstCode: "PGRST119" });
  });

  it("orders parents by a to-one embed's column; to-many is PGRST118, an embed not selected PGRST108", () => {
    const q = onPets("select=id,owner:people(name)&order=owner(name).desc.nullslast");
    expect(q.text).toContain(
      'ORDER BY (SELECT "name" FROM "data"."people" AS "_e2" WHERE "_e2"."id" = "data"."pets"."owner" LIMIT 1) DESC NULLS LAST, "data"."pets"."id" ASC',
    );
    expect(expectReason("select=id,pets(name)&order=pets(name)", "related_order_not_to_one").details).toMatchObject({ pgrstCode: "PGRST118" });
    expect(petsFailure("select=id,owner:people(name)&order=people(name)").details).toMatchObject({ pgrstCode: "PGRST108" });
    expect(petsFailure("select=id,people(name)&order=people(nope)").reason).toBe("unknown_column");
  });

  it("tests an embed with embed=is.null / not.is.null, an empty embed in no output; a column keeps its own filters", () => {
    const q = build("select=id,pets()&pets=not.is.null&pets.name=eq.Rex");
    expect(q.columns.map((c) => c.name)).toEqual(["id"]);
    expect(q.text).toBe(
      'SELECT "id" FROM "data"."people" WHERE NOT (NOT EXISTS (SELECT 1 FROM "data"."pets" AS "_e1" ' +
        'WHERE "_e1"."owner" = "data"."people"."id" AND "name" = $1::text ORDER BY "_e1"."id" ASC LIMIT 1000)) LIMIT 1000 OFFSET 0',
    );
    expect(build("select=id,p:pets(id)&or=(p.is.null,id.eq.1)").text).toContain('WHERE (NOT EXISTS (SELECT 1 FROM "data"."pets"');
    // Without an embed of that name it is a column filter; an embed is named by its alias when it has one.
    expect(onPets("select=id,people(name)&owner=is.null").text).toContain('WHERE "owner" IS NULL');
    expect(expectReason("select=id,p:pets(id)&pets=is.null", "unknown_column").details).toMatchObject({ column: "pets" });
  });

  it("checks embedded filters against the embedded relation's columns and types", () => {
    expect(expectReason("select=id,pets(name)&pets.nope=eq.1", "unknown_column").details).toMatchObject({ column: "nope" });
    expect(expectReason("select=id,pets(name)&pets.id=eq.x", "bad_value").details).toMatchObject({ column: "id" });
  });
});
