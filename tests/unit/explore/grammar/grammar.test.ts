import { describe, expect, it } from "vitest";
import { ExploreError, type ExploreErrorReason } from "@/lib/explore/errors";
import { parseReadRequest, type EmbedItem, type ReadRequest } from "@/lib/explore/grammar";

function parse(query: string, headers: { range?: string; prefer?: string } = {}): ReadRequest {
  return parseReadRequest({ params: new URLSearchParams(query), ...headers });
}

function parseError(query: string, headers: { range?: string; prefer?: string } = {}): ExploreError {
  try {
    parse(query, headers);
  } catch (error) {
    expect(error).toBeInstanceOf(ExploreError);
    return error as ExploreError;
  }
  throw new Error(`expected ${query} to fail`);
}

function expectReason(query: string, reason: ExploreErrorReason, headers = {}): ExploreError {
  const error = parseError(query, headers);
  expect(error.reason).toBe(reason);
  expect(error.status).toBeGreaterThanOrEqual(400);
  expect(error.status).toBeLessThan(500);
  return error;
}

describe("select", () => {
  it("defaults to every column", () => {
    expect(parse("").select).toBeNull();
  });

  it("parses columns, star, aliases, casts and quoted names", () => {
    expect(parse('select=id, fullName:name,score::text,s:score::bigint,*,"my col","a:b"::text').select).toEqual([
      { kind: "column", column: "id", alias: null, cast: null },
      { kind: "column", column: "name", alias: "fullName", cast: null },
      { kind: "column", column: "score", alias: null, cast: "text" },
      { kind: "column", column: "score", alias: "s", cast: "int8" },
      { kind: "star" },
      { kind: "column", column: "my col", alias: null, cast: null },
      { kind: "column", column: "a:b", alias: null, cast: "text" },
    ]);
  });

  it("keeps a quoted name with a comma whole", () => {
    expect(parse('select="x,y",id').select).toHaveLength(2);
  });

  it.each([
    ["select=", "malformed_select"],
    ["select=id,,name", "malformed_select"],
    ["select=:id", "malformed_select"],
    ["select=a:b:c", "malformed_select"],
    ["select=id::regclass", "bad_cast"],
    ["select=id::text;drop table x", "bad_cast"],
    ["select=a:...orders(*)", "malformed_select"],
    ["select=orders!inner!left(*)", "malformed_select"],
    ["select=...(*)", "malformed_select"],
    ["select=orders!a!b(*)", "malformed_select"],
    ["select=count()", "unsupported_feature"],
    ["select=total:count()", "unsupported_feature"],
    ["select=a(b(c(d(e))))", "too_complex"],
    ["select=meta->", "malformed_filter"],
    ["select=meta->>a->b", "malformed_filter"],
    ["select=id&select=name", "duplicate_parameter"],
  ] as const)("rejects %s", (query, reason) => {
    expectReason(query, reason);
  });
});

describe("filters", () => {
  it("parses every operator with not.", () => {
    const r = parse("id=eq.1&age=not.gt.5&name=like.*an*&email=ilike.A*&id=in.(1,2,3)&active=is.true&born=not.is.null&score=neq.&x=lte.a.b");
    expect(r.where).toEqual([
      { kind: "filter", column: "id", negated: false, op: "eq", value: "1" },
      { kind: "filter", column: "age", negated: true, op: "gt", value: "5" },
      { kind: "filter", column: "name", negated: false, op: "like", value: "*an*" },
      { kind: "filter", column: "email", negated: false, op: "ilike", value: "A*" },
      { kind: "filter", column: "id", negated: false, op: "in", values: ["1", "2", "3"] },
      { kind: "filter", column: "active", negated: false, op: "is", value: "true" },
      { kind: "filter", column: "born", negated: true, op: "is", value: "null" },
      { kind: "filter", column: "score", negated: false, op: "neq", value: "" },
      { kind: "filter", column: "x", negated: false, op: "lte", value: "a.b" },
    ]);
  });

  it("keeps top-level values raw, quotes and all", () => {
    expect(parse('name=eq."a,b"').where[0]).toMatchObject({ value: '"a,b"' });
  });

  it("applies PostgREST quoting rules inside in-lists", () => {
    const r = parse('name=in.("a,b", c ,"say \\"hi\\"","back\\\\slash","x)y",,"")');
    expect(r.where[0]).toMatchObject({ op: "in", values: ["a,b", "c", 'say "hi"', "back\\slash", "x)y", "", ""] });
  });

  it("reads an unclosed or trailing quote as plain text, like PostgREST", () => {
    expect(parse('name=in.("ab"c,d)').where[0]).toMatchObject({ values: ['"ab"c', "d"] });
    expect(parse('name=in.("1,2)').where[0]).toMatchObject({ values: ['"1', "2"] });
  });

  it("accepts the empty list", () => {
    expect(parse("id=in.()").where[0]).toMatchObject({ values: [] });
  });

  it("unquotes a quoted filter key", () => {
    expect(parse("%22a.b%22=eq.1").where[0]).toMatchObject({ column: "a.b" });
  });

  it("accepts is values case-insensitively, including not_null", () => {
    expect(parse("born=is.NULL&name=is.not_null").where).toMatchObject([{ value: "null" }, { value: "not_null" }]);
  });

  it.each([
    ["id=1", "malformed_filter"],
    ["id=eq", "malformed_filter"],
    ["id=", "malformed_filter"],
    ["id=.1", "malformed_filter"],
    ["id=equals.1", "unknown_operator"],
    ["tags=contains.{a}", "unknown_operator"],
    ["name=like(some).{a*}", "malformed_filter"],
    ["name=cs(any).{a}", "malformed_filter"],
    ["name=fts(eng lish).a", "malformed_filter"],
    ["name=fts(english.a", "malformed_filter"],
    ["name=like(any).a*", "malformed_list"],
    ["id=is.maybe", "bad_value"],
    ["id=in.1,2", "malformed_list"],
    ["id=in.(1,2", "malformed_list"],
    ['id=in.("1,2', "malformed_list"],
    ["id=in.(1)x", "malformed_list"],
    ["=eq.1", "malformed_filter"],
    ["columns=id", "unsupported_parameter"],
  ] as const)("rejects %s", (query, reason) => {
    expectReason(query, reason);
  });

  it("parses embedded resources with aliases, hints and nesting", () => {
    expect(parse("select=id,buyer:customers!orders_customer_id_fkey(id,name),items:order_items!left(*,products(name))").select).toEqual([
      { kind: "column", column: "id", alias: null, cast: null },
      { kind: "embed", relation: "customers", alias: "buyer", hint: "orders_customer_id_fkey", select: [
        { kind: "column", column: "id", alias: null, cast: null },
        { kind: "column", column: "name", alias: null, cast: null },
      ] },
      { kind: "embed", relation: "order_items", alias: "items", hint: null, select: [
        { kind: "star" },
        { kind: "embed", relation: "products", alias: null, hint: null, select: [{ kind: "column", column: "name", alias: null, cast: null }] },
      ] },
    ]); // prettier-ignore
  });

  it("reads !inner and !left with or without a hint, in either order, and spreads", () => {
    const [a, b, c, d] = parse("select=customers!inner(id),c:customers!orders_customer_id_fkey!inner(id),x:customers!inner!fk(id),customers!left(id)")
      .select as EmbedItem[];
    expect([a!.join, a!.hint, b!.join, b!.hint, c!.join, c!.hint, d!.join]).toEqual([
      "inner",
      null,
      "inner",
      "orders_customer_id_fkey",
      "inner",
      "fk",
      undefined,
    ]);
    const [spread] = parse("select=...customers!fk!inner(full_name,...x(y))").select as EmbedItem[];
    expect(spread).toMatchObject({ relation: "customers", alias: null, hint: "fk", join: "inner", spread: true });
    expect(spread!.select[1]).toMatchObject({ kind: "embed", relation: "x", spread: true });
  });

  it("hands dotted parameters to the embed they name, by relation or alias, nested", () => {
    const r = parse(
      "select=id,buyer:customers(id,events(id))&customers.country=eq.US&buyer.or=(tier.eq.pro,city.is.null)&customers.events.order=id.desc" +
        "&customers.events.limit=2&customers.events.offset=1&buyer.not.and=(id.gt.1,id.lt.5)&id=gt.0",
    );
    expect(r.where).toEqual([{ kind: "filter", column: "id", negated: false, op: "gt", value: "0" }]);
    const buyer = r.select![1] as EmbedItem;
    expect(buyer.where).toEqual([
      { kind: "filter", column: "country", negated: false, op: "eq", value: "US" },
      {
        kind: "group",
        op: "or",
        negated: false,
        conditions: [expect.objectContaining({ column: "tier" }), expect.objectContaining({ column: "city" })],
      },
      { kind: "group", op: "and", negated: true, conditions: [expect.objectContaining({ op: "gt" }), expect.objectContaining({ op: "lt" })] },
    ]);
    const events = buyer.select[1] as EmbedItem;
    expect(events).toMatchObject({ order: [{ column: "id", direction: "desc", nulls: null }], page: { offset: 1, limit: 2 } });
    // A quoted key with a dot stays a column of the top level; a JSON key keeps its dots.
    expect(parse("%22a.b%22=eq.1").where[0]).toMatchObject({ column: "a.b" });
    expect(parse("select=id,c:customers(id)&c.props->a.b=eq.1").select![1]).toMatchObject({
      where: [{ column: "props", path: [{ arrow: "->", key: "a.b" }] }],
    });
  });

  it.each([
    ["customers.country=eq.US", "not_embedded"],
    ["select=id&customers.country=eq.US", "not_embedded"],
    ["select=id,customers(id)&customers.events.id=eq.1", "not_embedded"],
    ["select=id,customers(id)&customers.limit=1&customers.limit=2", "duplicate_parameter"],
    ["select=id,customers(id)&customers.limit=x", "bad_limit"],
    ["select=id,customers(id)&customers.order=", "malformed_order"],
    ["select=id,customers(id)&customers.id=zz.1", "unknown_operator"],
  ] as const)("rejects %s", (query, reason) => {
    const error = expectReason(query, reason);
    if (reason === "not_embedded") expect(error.details).toMatchObject({ pgrstCode: "PGRST108" });
  });

  it("reads related order terms", () => {
    expect(parse("order=customers(full_name).desc.nullslast,buyer(props->>kind),id").order).toEqual([
      { relation: "customers", column: "full_name", direction: "desc", nulls: "last" },
      { relation: "buyer", column: "props", path: [{ arrow: "->>", key: "kind" }], direction: "asc", nulls: null },
      { column: "id", direction: "asc", nulls: null },
    ]);
    expectReason("order=customers(a.b)", "malformed_order");
    expectReason("order=customers().desc", "malformed_order");
  });

  it("reads casts after JSON paths and columns, from the whitelist only", () => {
    expect(parse("select=props->>kind::text,id::text").select).toEqual([
      { kind: "column", column: "props", path: [{ arrow: "->>", key: "kind" }], alias: null, cast: "text" },
      { kind: "column", column: "id", alias: null, cast: "text" },
    ]);
    expectReason("select=props->>kind::pg_shadow", "bad_cast");
  });

  it("parses JSON paths in select, filters, logic and order", () => {
    const r = parse("select=k:meta->a->>b,tags->0&meta->>kind=eq.x&or=(meta->n.eq.1)&order=meta->>kind.desc");
    expect(r.select).toEqual([
      {
        kind: "column",
        column: "meta",
        path: [
          { arrow: "->", key: "a" },
          { arrow: "->>", key: "b" },
        ],
        alias: "k",
        cast: null,
      },
      { kind: "column", column: "tags", path: [{ arrow: "->", key: 0 }], alias: null, cast: null },
    ]);
    expect(r.where[0]).toEqual({ kind: "filter", column: "meta", path: [{ arrow: "->>", key: "kind" }], negated: false, op: "eq", value: "x" });
    expect(r.where[1]).toMatchObject({ conditions: [{ column: "meta", path: [{ arrow: "->", key: "n" }], op: "eq", value: "1" }] });
    expect(r.order).toEqual([{ column: "meta", path: [{ arrow: "->>", key: "kind" }], direction: "desc", nulls: null }]);
  });

  it("parses PostgREST's other operators, any/all modifiers and full-text languages", () => {
    expect(parse("tags=cs.{a,b}&span=adj.[1,5)&id=isdistinct.3&name=imatch.^a").where).toEqual([
      { kind: "filter", column: "tags", negated: false, op: "cs", value: "{a,b}" },
      { kind: "filter", column: "span", negated: false, op: "adj", value: "[1,5)" },
      { kind: "filter", column: "id", negated: false, op: "isdistinct", value: "3" },
      { kind: "filter", column: "name", negated: false, op: "imatch", value: "^a" },
    ]);
    expect(parse("name=not.like(all).{a*,*b}").where[0]).toEqual({
      kind: "filter",
      column: "name",
      negated: true,
      op: "like",
      value: "{a*,*b}",
      quantifier: "all",
    });
    expect(parse("doc=wfts(english).fat rat&doc=fts.fat").where).toEqual([
      { kind: "filter", column: "doc", negated: false, op: "wfts", value: "fat rat", language: "english" },
      { kind: "filter", column: "doc", negated: false, op: "fts", value: "fat", language: null },
    ]);
    // Inside or=(…), array and range literals keep their commas.
    expect(parse("or=(span.ov.[1,3],tags.cs.{a,b},id.eq(any).{1,2})").where[0]).toMatchObject({
      conditions: [
        { op: "ov", value: "[1,3]" },
        { op: "cs", value: "{a,b}" },
        { op: "eq", value: "{1,2}", quantifier: "any" },
      ],
    });
  });

  it("names the column and operator in its message", () => {
    expect(expectReason("age=between.1", "unknown_operator").message).toMatch(/"between".*"age"/);
  });

  it("skips keys the caller handles itself, but never reserved ones", () => {
    const r = parseReadRequest({ params: new URLSearchParams("tab=grid&limit=5") }, { ignore: ["tab", "limit"] });
    expect(r.where).toEqual([]);
    expect(r.page.limit).toBe(5);
  });
});

describe("logic trees", () => {
  it("parses nested and/or/not groups", () => {
    const r = parse("or=(age.lt.18,and(name.eq.x,not.or(id.in.(1,2),active.is.false)),age.not.eq.30)");
    expect(r.where).toEqual([
      {
        kind: "group",
        op: "or",
        negated: false,
        conditions: [
          { kind: "filter", column: "age", negated: false, op: "lt", value: "18" },
          {
            kind: "group",
            op: "and",
            negated: false,
            conditions: [
              { kind: "filter", column: "name", negated: false, op: "eq", value: "x" },
              {
                kind: "group",
                op: "or",
                negated: true,
                conditions: [
                  { kind: "filter", column: "id", negated: false, op: "in", values: ["1", "2"] },
                  { kind: "filter", column: "active", negated: false, op: "is", value: "false" },
                ],
              },
            ],
          },
          { kind: "filter", column: "age", negated: true, op: "eq", value: "30" },
        ],
      },
    ]);
  });

  it("parses not.and= and and= at the top level", () => {
    expect(parse("not.and=(a.eq.1,b.eq.2)&and=(c.eq.3)").where).toMatchObject([
      { kind: "group", op: "and", negated: true },
      { kind: "group", op: "and", negated: false },
    ]);
  });

  it("unquotes values and column names; keeps dots in values", () => {
    const r = parse('or=(name.eq."a,b)",score.eq.1.5,"a.b".like.*x*,tags.eq.{a,b})');
    expect(r.where[0]).toMatchObject({
      conditions: [
        { column: "name", value: "a,b)" },
        { column: "score", value: "1.5" },
        { column: "a.b", op: "like", value: "*x*" },
        { column: "tags", value: "{a,b}" },
      ],
    });
  });

  it("treats a column named like a logic operator as a column", () => {
    expect(parse("or=(and.eq.1,or.is.null)").where[0]).toMatchObject({
      conditions: [{ column: "and" }, { column: "or" }],
    });
  });

  it.each([
    ["or=()", "malformed_logic"],
    ["or=a.eq.1", "malformed_logic"],
    ["or=(a.eq.1", "malformed_logic"],
    ["or=(a.eq.1))", "malformed_logic"],
    ["or=(a)", "malformed_logic"],
    ["or=(a.eq.1,)", "malformed_filter"],
    ["or=(a.eq.x(y))", "malformed_logic"],
    ["or=(a.bad.1)", "unknown_operator"],
    [`or=${"and(".repeat(20)}a.eq.1${")".repeat(20)}`, "malformed_logic"],
    [`or=(${"and(".repeat(20)}a.eq.1${")".repeat(21)}`, "too_complex"],
  ] as const)("rejects %s", (query, reason) => {
    expectReason(query, reason);
  });

  it("bounds the size of a request", () => {
    const many = Array.from({ length: 300 }, (_, i) => `a.eq.${i}`).join(",");
    expectReason(`or=(${many})`, "too_complex");
    expectReason(`id=in.(${"1,".repeat(1500)}1)`, "too_complex");
  });
});

describe("order", () => {
  it("parses directions, nulls placement and quoted names", () => {
    expect(parse('order=age.desc.nullslast,name,id.nullsfirst,"a.b".asc').order).toEqual([
      { column: "age", direction: "desc", nulls: "last" },
      { column: "name", direction: "asc", nulls: null },
      { column: "id", direction: "asc", nulls: "first" },
      { column: "a.b", direction: "asc", nulls: null },
    ]);
  });

  it.each(["order=", "order=age.down", "order=age.nullslast.desc", "order=age.asc.desc"])("rejects %s", (query) => {
    const error = parseError(query);
    expect(["malformed_order"]).toContain(error.reason);
  });
});

describe("paging and counting", () => {
  it("reads limit and offset", () => {
    expect(parse("limit=10&offset=20").page).toEqual({ offset: 20, limit: 10 });
    expect(parse("").page).toEqual({ offset: 0, limit: null });
    expect(parse("limit=0").page).toEqual({ offset: 0, limit: 0 });
  });

  it.each([
    ["limit=-1", "bad_limit"],
    ["limit=abc", "bad_limit"],
    ["limit=1.5", "bad_limit"],
    ["limit=99999999999999999999", "bad_limit"],
    ["offset=-5", "bad_offset"],
    ["limit=1&limit=2", "duplicate_parameter"],
  ] as const)("rejects %s", (query, reason) => {
    expectReason(query, reason);
  });

  it("reads the Range header and intersects it with limit/offset", () => {
    expect(parse("", { range: "0-24" }).page).toEqual({ offset: 0, limit: 25 });
    expect(parse("", { range: "items=10-" }).page).toEqual({ offset: 10, limit: null });
    expect(parse("limit=5", { range: "10-100" }).page).toEqual({ offset: 10, limit: 5 });
    expect(parse("offset=20", { range: "0-9" }).page).toEqual({ offset: 20, limit: 0 });
    expect(parse("offset=5&limit=100", { range: "0-9" }).page).toEqual({ offset: 5, limit: 5 });
  });

  it("refuses malformed and inverted ranges (416 for the latter)", () => {
    expectReason("", "malformed_range", { range: "bytes=0-5" });
    expectReason("", "malformed_range", { range: "-5" });
    expectReason("", "malformed_range", { range: "0-1,3-4" });
    expect(expectReason("", "range_not_satisfiable", { range: "5-2" }).status).toBe(416);
  });

  it("reads the count preference among others", () => {
    expect(parse("", { prefer: "return=representation, count=exact" }).count).toBe("exact");
    expect(parse("", { prefer: "count=planned" }).count).toBe("planned");
    expect(parse("", { prefer: "count=estimated;x=y" }).count).toBe("estimated");
    expect(parse("", { prefer: "handling=lenient" }).count).toBeNull();
    // PostgREST 12 ignores what it does not know (count=none included), unless handling=strict.
    expect(parse("", { prefer: "count=all" }).count).toBeNull();
    expect(parse("", { prefer: "count=none" }).count).toBeNull();
    expect(parse("", { prefer: "count=exact, count=planned" }).count).toBe("exact");
    expect(parse("", { prefer: "handling=lenient, anything" })).toMatchObject({ count: null, handling: "lenient" });
    expect(parse("", { prefer: "return=representation, tx=rollback, missing=default, max-affected=5, handling=strict" })).toMatchObject({
      handling: "strict",
    });
    const strict = expectReason("", "bad_prefer", { prefer: "handling=strict, count=none, timezone=UTC" });
    expect(strict.details).toMatchObject({ pgrstCode: "PGRST122", hint: "Invalid preferences: count=none, timezone=UTC" });
  });
});

describe("errors", () => {
  it("are ApiErrors with the API's code and a reason in details", () => {
    const error = parseError("id=zz.1");
    expect(error.toBody()).toEqual({
      error: {
        code: "bad_request",
        message: expect.stringContaining("zz"),
        details: { reason: "unknown_operator", column: "id", operator: "zz" },
      },
    });
  });

  it("clip huge request text in messages", () => {
    expect(parseError(`id=${"x".repeat(10_000)}.1`).message.length).toBeLessThan(300);
  });
});
