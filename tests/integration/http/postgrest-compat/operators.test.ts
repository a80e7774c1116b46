import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCompatWorld, stopCompatWorld, type CompatWorld } from "@/tests/integration/http/postgrest-compat/client";

/**
 * PostgREST's operator set through postgrest-js, on its fixture shapes; each expectation is the
 * answer PostgREST's specs give (QuerySpec, AndOrParamsSpec) unless said otherwise.
 */
let world: CompatWorld;

beforeAll(async () => {
  world = await startCompatWorld("pgrst_compat_ops");
});
afterAll(async () => {
  await stopCompatWorld(world);
});

const ids = async (path: string) => {
  const response = await world.raw(path);
  const body = (await response.json()) as unknown;
  expect(response.status, JSON.stringify(body)).toBe(200);
  return body;
};

describe("array and range operators", () => {
  it("cs, cd and ov on arrays (QuerySpec)", async () => {
    expect((await world.client.from("complex_items").select("id").contains("arr_data", [2])).data).toEqual([{ id: 2 }, { id: 3 }]);
    expect((await world.client.from("complex_items").select("id").containedBy("arr_data", [1, 2, 4])).data).toEqual([{ id: 1 }, { id: 2 }]);
    expect((await world.client.from("entities").select("id").overlaps("arr", [3, 9])).data).toEqual([{ id: 3 }]);
  });

  it.each([
    ["range=eq.[1,3]", [1]],
    ["range=neq.[1,3]", [2, 3, 4]],
    ["range=lt.[1,10]", [1]],
    ["range=cs.[1,2]", [1]],
    ["range=cd.[1,6]", [1, 2]],
    ["range=ov.[0,4]", [1, 2]],
    ["range=sl.[9,10]", [1, 2]],
    ["range=sr.[3,4]", [3, 4]],
    ["range=nxr.[4,7]", [1, 2]],
    ["range=nxl.[4,7]", [3, 4]],
    ["range=adj.(3,10]", [1]],
    ["range=isdistinct.[1,3]", [2, 3, 4, 5]],
  ])("ranges: %s (AndOrParamsSpec)", async (filter, expected) => {
    expect(await ids(`/ranges?${filter}&select=id`)).toEqual(expected.map((id) => ({ id })));
  });

  it("range operators inside or=(…) keep the literal's comma", async () => {
    expect(await ids("/ranges?or=(range.sl.[9,10],range.adj.(3,10])&select=id")).toEqual([{ id: 1 }, { id: 2 }]);
  });

  it("postgrest-js's range helpers", async () => {
    expect((await world.client.from("ranges").select("id").rangeAdjacent("range", "(3,10]")).data).toEqual([{ id: 1 }]);
    expect((await world.client.from("ranges").select("id").rangeLt("range", "[9,10]")).data).toEqual([{ id: 1 }, { id: 2 }]);
  });
});

describe("patterns, distinctness and quantifiers", () => {
  it("match and imatch (QuerySpec)", async () => {
    expect(await ids("/simple_pk?k=match.yx$")).toEqual([{ k: "xyyx", extra: "u" }]);
    expect(await ids("/simple_pk?k=not.match.yx$")).toEqual([{ k: "xYYx", extra: "v" }]);
    expect((await world.client.from("simple_pk").select().regexIMatch("k", "^xy").order("extra")).data).toEqual([
      { k: "xyyx", extra: "u" },
      { k: "xYYx", extra: "v" },
    ]);
  });

  it("isdistinct treats NULL as a value (QuerySpec)", async () => {
    expect(await ids("/no_pk?select=a&a=isdistinct.2")).toEqual([{ a: null }, { a: "1" }]);
  });

  it("any/all modifiers, as postgrest-js writes them", async () => {
    expect(await ids("/items?id=eq(any).{3,4,99}&select=id")).toEqual([{ id: 3 }, { id: 4 }]);
    expect(await ids("/items?id=gt(all).{12,13}&select=id")).toEqual([{ id: 14 }, { id: 15 }]);
    expect((await world.client.from("simple_pk").select("k").likeAnyOf("k", ["xy*", "nope*"])).data).toEqual([{ k: "xyyx" }]);
    expect((await world.client.from("simple_pk").select("k").ilikeAllOf("k", ["x*", "*YY*"]).order("k")).data).toEqual([
      { k: "xYYx" },
      { k: "xyyx" },
    ]);
  });
});

describe("full-text search", () => {
  it("fts, plfts, wfts and a language on a tsvector column (QuerySpec)", async () => {
    expect(await ids("/tsearch?text_search_vector=fts.impossible")).toEqual([{ text_search_vector: "'fun':5 'imposs':9 'kind':3" }]);
    expect(await ids("/tsearch?text_search_vector=plfts.The%20Fat%20Rats")).toEqual([{ text_search_vector: "'ate':3 'cat':2 'fat':1 'rat':4" }]);
    expect(await ids("/tsearch?text_search_vector=wfts.fun%20and%20-possible")).toEqual([{ text_search_vector: "'fun':5 'imposs':9 'kind':3" }]);
    expect(await ids("/tsearch?text_search_vector=fts(french).amusant")).toEqual([{ text_search_vector: "'amus':5 'fair':7 'impossibl':9 'peu':4" }]);
    const js = await world.client.from("tsearch").select().textSearch("text_search_vector", "The Fat Rats", { type: "plain" });
    expect(js.data).toEqual([{ text_search_vector: "'ate':3 'cat':2 'fat':1 'rat':4" }]);
  });

  it("searches a text column through to_tsvector, and refuses an unknown language with a 400", async () => {
    expect(await ids("/entities?name=phfts(simple).entity%202&select=id")).toEqual([{ id: 2 }]);
    const unknown = await world.raw("/tsearch?text_search_vector=fts(klingon).qapla");
    expect(unknown.status).toBe(400);
  });
});

describe("filters on every column type", () => {
  it.each([
    ["addr=eq.10.0.0.1", [1]],
    ["addr=eq.10.0.0.2/32", [2]],
    ["dur=gt.3 hours", [1]],
    ["price=eq.12.50", [1]],
    ["bits=eq.101", [1]],
    ["raw=eq.%5Cx03", [2]],
    ["feeling=eq.sad", [2]],
    ["feeling=in.(happy,sad)", [1, 2]],
    ["arr=eq.{1,2}", [2]],
  ])("%s", async (filter, expected) => {
    const table = filter.startsWith("arr") ? "entities" : "other_types";
    expect(await ids(`/${table}?${filter}&select=id`)).toEqual(expected.map((id) => ({ id })));
  });

  it("answers a value the type cannot read with a 400, never a 500", async () => {
    for (const filter of ["addr=eq.nope", "dur=eq.forever", "bits=eq.9", "feeling=eq.angry", "arr=cs.{x}", "range=cs.[z"]) {
      const table = filter.startsWith("arr") ? "entities" : filter.startsWith("range") ? "ranges" : "other_types";
      expect((await world.raw(`/${table}?${filter}`)).status, filter).toBe(400);
    }
  });
});

describe("JSON paths (JsonOperatorSpec)", () => {
  it("selects with ->, ->> and aliases, keyed by the last step", async () => {
    expect(await ids("/complex_items?id=eq.1&select=settings->foo->>bar")).toEqual([{ bar: "baz" }]);
    expect(await ids("/complex_items?id=eq.1&select=myBar:settings->foo->>bar")).toEqual([{ myBar: "baz" }]);
    expect(await ids("/complex_items?id=eq.1&select=settings->foo")).toEqual([{ foo: { int: 1, bar: "baz" } }]);
    expect(await ids("/arrays?select=a:numbers->0,b:numbers->1,c:numbers_mult->0->0,d:numbers_mult->1->2")).toEqual([
      { a: 1, b: 2, c: 1, d: 6 },
      { a: 11, b: 12, c: 11, d: 16 },
    ]);
    expect(await ids("/arrays?select=a:numbers->>0,b:numbers->>1")).toEqual([
      { a: "1", b: "2" },
      { a: "11", b: "12" },
    ]);
  });

  it("filters and orders by paths", async () => {
    expect(await ids("/json_table?data->foo->>bar=eq.baz")).toEqual([{ data: { id: 1, foo: { bar: "baz" } } }]);
    expect(await ids("/json_table?data->foo->>bar=not.eq.baz")).toEqual([]);
    expect(await ids("/json_table?data->>id=eq.1")).toEqual([{ data: { id: 1, foo: { bar: "baz" } } }]);
    expect(await ids("/arrays?select=id&numbers->0=eq.1")).toEqual([{ id: 0 }]);
    expect(await ids("/arrays?select=id&numbers_mult->1->1=eq.5")).toEqual([{ id: 0 }]);
    expect(await ids("/json_table?select=id:data->>id&order=data->id.desc")).toEqual([{ id: "3" }, { id: "1" }, { id: "0" }]);
    const js = await world.client.from("json_table").select("data->>id").eq("data->foo->>bar", "baz");
    expect(js.data).toEqual([{ id: "1" }]);
  });

  it("refuses a path into a column that is not json, jsonb or an array with a 400", async () => {
    const response = await world.raw("/items?select=id->a");
    expect(response.status).toBe(400);
    expect((await world.raw("/items?select=id")).status).toBe(200);
  });
});
