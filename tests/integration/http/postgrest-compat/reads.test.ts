import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCompatWorld, stopCompatWorld, type CompatWorld } from "@/tests/integration/http/postgrest-compat/client";

/**
 * `@supabase/postgrest-js` against the production server on PostgREST's own fixture shapes
 * (tests/support/fixtures/postgrest-spec.sql). Each expectation is the answer PostgREST gives
 * for the same call in its specs (test/spec/Feature/Query/*.hs), unless said otherwise.
 */
let world: CompatWorld;

beforeAll(async () => {
  world = await startCompatWorld("pgrst_compat_reads");
});
afterAll(async () => {
  await stopCompatWorld(world);
});

describe("typed bodies, built in Postgres", () => {
  it("answers bigint as numbers, json nested, arrays as arrays, dashed names as is (QuerySpec)", async () => {
    const { data, error, status } = await world.client.from("complex_items").select().eq("id", 3);
    expect(error).toBeNull();
    expect(status).toBe(200);
    expect(data).toEqual([{ id: 3, name: "Three", settings: { foo: { int: 1, bar: "baz" } }, arr_data: [1, 2, 3], "field-with_sep": 3 }]);
  });

  it("renames and casts (QuerySpec: myId:id::text)", async () => {
    expect((await world.client.from("complex_items").select("myId:id::text").eq("id", 1)).data).toEqual([{ myId: "1" }]);
    expect((await world.client.from("complex_items").select("id")).data).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }]);
  });

  it("keeps every digit of int8 and numeric and prints timestamps, dates, ranges and nulls as to_json does", async () => {
    const response = await world.raw("/typed_values?order=id");
    const text = await response.text();
    // Digits past 2^53 survive only if the server never parsed them into a JS number.
    expect(text).toContain('"big":9007199254740993');
    expect(text).toContain('"exact":1042.65');
    expect(JSON.parse(text)).toEqual([
      {
        id: 1,
        big: 9007199254740992, // JSON.parse rounds; the text above has the exact digits
        exact: 1042.65,
        small: 7,
        real_value: 1.5,
        flag: true,
        at: "2023-03-16T16:06:52+00:00",
        local_at: "2023-03-16T16:06:52.25",
        day: "2023-03-16",
        doc: { kind: "a", n: [1, 2] },
        tags: ["x", "y z"],
        span: "[1,5)",
        note: "one",
      },
      {
        id: 2,
        big: null,
        exact: null,
        small: null,
        real_value: null,
        flag: null,
        at: null,
        local_at: null,
        day: null,
        doc: null,
        tags: null,
        span: null,
        note: null,
      },
    ]);
    expect(response.headers.get("content-type")).toBe("application/json; charset=utf-8");
  });

  it("answers multidimensional arrays as nested arrays (PostgREST issue 2075 fixture)", async () => {
    const { data } = await world.client.from("arrays").select("id,numbers_mult").eq("id", 0);
    expect(data).toEqual([
      {
        id: 0,
        numbers_mult: [
          [1, 2, 3],
          [4, 5, 6],
          [7, 8, 9],
        ],
      },
    ]);
  });

  it("answers an empty page as [] with Content-Range */0 (RangeSpec)", async () => {
    const response = await world.raw("/items?id=eq.0", { headers: { prefer: "count=exact" } });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-range")).toBe("*/0");
    expect(await response.json()).toEqual([]);
  });
});

describe("counts, ranges and HEAD", () => {
  it("counts with .select(…, { count }) and pages with .range() (RangeSpec)", async () => {
    const { data, count, status } = await world.client.from("items").select("id", { count: "exact" }).order("id").range(2, 4);
    expect(status).toBe(206);
    expect(count).toBe(15);
    expect(data).toEqual([{ id: 3 }, { id: 4 }, { id: 5 }]);
  });

  it("answers { head: true } with the count and no body, and says which count it applied", async () => {
    const { data, count, status } = await world.client.from("items").select("*", { count: "exact", head: true });
    expect(status).toBe(200); // all 15 rows fit the page
    expect(count).toBe(15);
    expect(data).toBeNull();
    const head = await world.raw("/items?limit=2", { method: "HEAD", headers: { prefer: "count=exact" } });
    expect(head.headers.get("content-range")).toBe("0-1/15");
    expect(head.headers.get("preference-applied")).toBe("count=exact");
    expect(await head.text()).toBe("");
    // The page's size comes from the first row alone: the same headers as the GET, without a count too.
    const get = await world.raw("/items?limit=12&offset=1");
    const bare = await world.raw("/items?limit=12&offset=1", { method: "HEAD" });
    expect(bare.headers.get("content-range")).toBe("1-12/*");
    expect(bare.headers.get("content-range")).toBe(get.headers.get("content-range"));
    expect(bare.status).toBe(get.status);
  });
});

describe("Prefer, as PostgREST 12 reads it (PreferencesSpec)", () => {
  it("ignores what it does not apply on a read — count=none, return=representation, unknown values — and confirms only count and handling", async () => {
    for (const prefer of ["count=none", "return=representation", "handling=lenient, anything", "tx=rollback, missing=default, max-affected=3"]) {
      const response = await world.raw("/items?limit=2", { headers: { prefer } });
      expect(response.status, prefer).toBe(200);
      expect(await response.json()).toEqual([{ id: 1 }, { id: 2 }]);
      expect(response.headers.get("content-range"), prefer).toBe("0-1/*");
      expect(response.headers.get("preference-applied"), prefer).toBe(prefer.startsWith("handling") ? "handling=lenient" : null);
    }
    const first = await world.raw("/items?limit=2", { headers: { prefer: "count=exact, count=planned, return=representation" } });
    expect(first.headers.get("content-range")).toBe("0-1/15");
    expect(first.headers.get("preference-applied")).toBe("count=exact");
  });

  it("refuses unknown preferences under handling=strict with PGRST122; known ones pass (control)", async () => {
    const refused = await world.raw("/items", { headers: { prefer: "handling=strict, anything, count=none" } });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({
      error: {
        code: "bad_request",
        message: "Invalid preferences given with handling=strict",
        details: { reason: "bad_prefer", pgrstCode: "PGRST122", hint: "Invalid preferences: anything, count=none" },
      },
    });
    const control = await world.raw("/items?limit=1", { headers: { prefer: "handling=strict, count=exact, return=representation" } });
    expect(control.status).toBe(206);
    expect(control.headers.get("preference-applied")).toBe("count=exact, handling=strict");
    expect(control.headers.get("content-range")).toBe("0-0/15");
  });
});

describe("casts in select", () => {
  it("casts columns and JSON paths to a whitelisted type, and refuses any other type (control: the same path uncast)", async () => {
    const { data, error } = await world.client.from("typed_values").select("id::text,kind:doc->>kind::text,n:doc->n::text,big::text").eq("id", 1);
    expect(error).toBeNull();
    expect(data).toEqual([{ id: "1", kind: "a", n: "[1, 2]", big: "9007199254740993" }]);
    expect((await world.client.from("typed_values").select("n:doc->n").eq("id", 1)).data).toEqual([{ n: [1, 2] }]);
    // The order still reads the column, not the cast output of the same name (ids as text would sort 9 > 15).
    expect((await world.client.from("items").select("id::text").order("id", { ascending: false }).limit(3)).data).toEqual([
      { id: "15" },
      { id: "14" },
      { id: "13" },
    ]);
    const refused = await world.raw("/typed_values?select=doc->>kind::pg_catalog.regclass");
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ error: { details: { reason: "bad_cast" } } });
  });
});

describe("singular objects", () => {
  it("answers .single() with one object in PostgREST's media type (SingularSpec)", async () => {
    const { data, error, status } = await world.client.from("items").select("id").eq("id", 5).single();
    expect(error).toBeNull();
    expect(status).toBe(200);
    expect(data).toEqual({ id: 5 });
    const response = await world.raw("/items?id=eq.5", { headers: { accept: "application/vnd.pgrst.object" } });
    expect(response.headers.get("content-type")).toBe("application/vnd.pgrst.object+json; charset=utf-8");
    expect(await response.json()).toEqual({ id: 5 });
  });

  it.each([
    ["no rows", "/items?id=gt.0&id=lt.0", 0],
    ["several rows", "/items?id=lt.5", 4],
  ])("refuses %s with 406 and PGRST116 in details (SingularSpec)", async (_, path, rows) => {
    const response = await world.raw(path, { headers: { accept: "application/vnd.pgrst.object+json" } });
    expect(response.status).toBe(406);
    const body = (await response.json()) as { error: { code: string; details: Record<string, unknown> } };
    expect(body.error.code).toBe("not_acceptable");
    expect(body.error.details).toMatchObject({ reason: "not_one_row", pgrstCode: "PGRST116", rows, hint: `The result contains ${rows} rows` });
    // The refused request leaves the connection usable: the next one on it is answered.
    expect((await world.client.from("items").select("id").eq("id", 1).single()).data).toEqual({ id: 1 });
  });

  it("keeps the count and Content-Range on a singular answer", async () => {
    const response = await world.raw("/items?id=eq.5", { headers: { accept: "application/vnd.pgrst.object+json", prefer: "count=exact" } });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-range")).toBe("0-0/1");
    expect(response.headers.get("preference-applied")).toBe("count=exact");
  });

  it("answers .maybeSingle() as postgrest-js expects: the object, or null for no rows", async () => {
    expect((await world.client.from("items").select("id").eq("id", 2).maybeSingle()).data).toEqual({ id: 2 });
    const none = await world.client.from("items").select("id").eq("id", 0).maybeSingle();
    expect(none.error).toBeNull();
    expect(none.data).toBeNull();
  });
});

describe("schema profiles", () => {
  it("reads the default profile (the first exposed schema), another by Accept-Profile, and schema.table (MultipleSchemaSpec)", async () => {
    const plain = await world.raw("/items?select=id&limit=1");
    expect(plain.headers.get("content-profile")).toBe("pgrst");
    expect(await plain.json()).toEqual([{ id: 1 }]);
    const demo = await world.client.schema("data").from("orders").select("id").order("id").limit(2);
    expect(demo.error).toBeNull();
    expect(demo.data).toEqual([{ id: 1 }, { id: 2 }]);
    const dotted = await world.raw("/data.orders?select=id&limit=1&order=id");
    expect(dotted.headers.get("content-profile")).toBe("data");
    expect(await dotted.json()).toEqual([{ id: 1 }]);
  });

  it("refuses an unknown profile with 406 and PGRST106 in details, and a relation outside the profile with 404", async () => {
    const unknown = await world.client.schema("app").from("users").select();
    expect(unknown.status).toBe(406);
    expect(unknown.error).toMatchObject({
      error: {
        code: "not_acceptable",
        details: { reason: "unknown_profile", pgrstCode: "PGRST106", hint: "Only the following schemas are exposed: pgrst, data" },
      },
    });
    const elsewhere = await world.client.schema("data").from("items").select();
    expect(elsewhere.status).toBe(404);
  });
});

describe("writes are refused in the error shape", () => {
  it.each([
    ["insert", () => world.client.from("items").insert({ id: 99 })],
    ["update", () => world.client.from("items").update({ id: 98 }).eq("id", 1)],
    ["upsert", () => world.client.from("items").upsert({ id: 1 })],
    ["delete", () => world.client.from("items").delete().eq("id", 1)],
    ["rpc", () => world.client.rpc("anything", { a: 1 })],
  ])("answers %s with 405, Allow: GET, HEAD and a read-only message; nothing changes", async (_, call) => {
    const { status, error } = await call();
    expect(status).toBe(405);
    expect(error).toMatchObject({ error: { code: "method_not_allowed", details: { reason: "read_only" } } });
    expect((error as unknown as { error: { message: string } }).error.message).toMatch(/read-only/);
    const [{ n }] = (await world.db.owner`select count(*)::int as n from pgrst.items`) as unknown as [{ n: number }];
    expect(n).toBe(15);
  });

  it("sends Allow with the 405, and PUT is refused too", async () => {
    const response = await world.raw("/items?id=eq.1", { method: "PUT", body: "{}", headers: { "content-type": "application/json" } });
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("GET, HEAD");
    // Control: the same path answers a read.
    expect((await world.raw("/items?id=eq.1")).status).toBe(200);
  });
});

describe("the OpenAPI document", () => {
  it("describes each table's rows to a caller who may read them, and names no table to anyone else", async () => {
    const url = `${world.app.url}/api/v1/openapi.json`;
    const anonymous = (await (await fetch(url)).json()) as { components: { schemas: Record<string, unknown> }; paths: Record<string, unknown> };
    expect(Object.keys(anonymous.components.schemas)).toEqual(["Error"]);
    const reader = (await (await fetch(url, { headers: { authorization: `Bearer ${world.token}` } })).json()) as typeof anonymous;
    expect(reader.components.schemas["pgrst.typed_values"]).toMatchObject({
      properties: { big: { type: ["integer", "null"] }, at: { format: "date-time" }, tags: { type: ["array", "null"] } },
    });
    expect(reader.paths["/api/v1/tables/pgrst.items"]).toBeDefined();
  });
});
