import { randomBytes } from "node:crypto";
import postgres, { type Sql } from "postgres";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Catalog, CatalogColumn } from "@/lib/explore/catalog";
import { parseReadRequest } from "@/lib/explore/grammar";
import { extendedQuery } from "@/lib/explore/output";
import { buildEstimateQuery, buildExactCountQuery, buildPlannedCountQuery, buildReadQuery, readPlannedCount } from "@/lib/explore/sql";

/**
 * Runs built queries against a real Postgres, bound the way the app binds them (output/cursor-rows.ts):
 * the SQL must be valid and return the rows the
 * grammar promises. Uses its own throwaway database on the test server, and a catalog read
 * from information_schema the way the app's catalog reader does.
 */
const serverUrl = process.env.DATABASE_URL ?? inject("database")?.serverUrl ?? "postgres://postgres@127.0.0.1:5432/postgres";
const dbName = `sluice_explore_${randomBytes(4).toString("hex")}`;
const ref = { schema: "data", name: "people" };

let server: Sql;
let sql: Sql;
let catalog: Catalog;

interface Person {
  id: number;
  name: string | null;
  age: number | null;
  active: boolean | null;
  born: string | null;
  mood: "happy" | "sad" | "meh" | null;
  tags: string[] | null;
}

const PEOPLE: Person[] = [
  { id: 1, name: "Alice", age: 17, active: true, born: "2007-05-01", mood: "happy", tags: ["a", "b"] },
  { id: 2, name: "Bob", age: 34, active: false, born: null, mood: "sad", tags: [] },
  { id: 3, name: "Charlie", age: null, active: null, born: "1990-01-01", mood: null, tags: null },
  { id: 4, name: null, age: 52, active: true, born: "1972-12-31", mood: "meh", tags: ["b"] },
  { id: 5, name: "alina", age: 25, active: false, born: "1999-09-09", mood: "happy", tags: ["a, b"] },
  { id: 6, name: "O'Brien; --", age: 25, active: true, born: null, mood: null, tags: null },
];

function withDatabase(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

async function readCatalog(): Promise<Catalog> {
  const rows = await sql<{ table_name: string; column_name: string; udt_name: string; is_nullable: string; ordinal_position: number }[]>`
    select table_name, column_name, udt_name, is_nullable, ordinal_position
    from information_schema.columns where table_schema = 'data' order by table_name, ordinal_position`;
  const columns = (table: string): CatalogColumn[] =>
    rows
      .filter((r) => r.table_name === table)
      .map((r) => ({ name: r.column_name, type: r.udt_name, nullable: r.is_nullable === "YES", ordinal: r.ordinal_position }));
  return {
    schemas: [{ name: "data", relations: [{ name: "people", kind: "table", estimatedRows: null, columns: columns("people") }] }],
  };
}

beforeAll(async () => {
  server = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await server.unsafe(`create database "${dbName}"`);
  sql = postgres(withDatabase(serverUrl, dbName), { max: 2, onnotice: () => {} });
  await sql.unsafe(`
    create schema data;
    create type data.mood as enum ('happy', 'sad', 'meh');
    create table data.people (
      id int4 primary key, name text, age int2, active bool, born date, mood data.mood, tags text[],
      score numeric, created_at timestamptz, uid uuid, meta jsonb, doc json, "we""ird" text, "select" text
    );`);
  for (const p of PEOPLE) {
    await sql`insert into data.people ${sql(p)}`;
  }
  await sql.unsafe(`
    update data.people set score = id * 10.5, created_at = '2024-01-01T00:00:00Z'::timestamptz + id * interval '1 day',
      uid = ('00000000-0000-4000-8000-00000000000' || id)::uuid, meta = jsonb_build_object('k', id), doc = json_build_object('k', id),
      "we""ird" = 'w' || id, "select" = 's' || id;
    analyze data.people;`);
  catalog = await readCatalog();
});

afterAll(async () => {
  await sql?.end({ timeout: 5 });
  await server?.unsafe(`drop database if exists "${dbName}" with (force)`);
  await server?.end({ timeout: 5 });
});

async function rows(query: string, headers: { range?: string } = {}, rowCap = 100): Promise<Record<string, unknown>[]> {
  const request = parseReadRequest({ params: new URLSearchParams(query), ...headers });
  const built = buildReadQuery(catalog, ref, request, { rowCap });
  const values = await extendedQuery(sql, built.text, built.params).values();
  return values.map((row) => Object.fromEntries(built.columns.map((c, i) => [c.name, row[i]])));
}

async function ids(query: string, headers: { range?: string } = {}): Promise<number[]> {
  const found = await rows(`select=id&${query}`, headers);
  return found.map((r) => r.id as number);
}

const expected = (keep: (p: Person) => boolean) => PEOPLE.filter(keep).map((p) => p.id);

describe("filters against Postgres", () => {
  it("eq/neq/gt/lte with typed placeholders", async () => {
    expect(await ids("age=gt.20&order=id")).toEqual(expected((p) => p.age !== null && p.age > 20));
    expect(await ids("age=lte.25&active=neq.true&order=id")).toEqual([5]);
    expect(await ids("born=gte.1990-01-01&order=id")).toEqual([1, 3, 5]);
    expect(await ids("created_at=gte.2024-01-04T00:00:00Z&order=id")).toEqual([3, 4, 5, 6]);
    expect(await ids("uid=eq.00000000-0000-4000-8000-000000000002")).toEqual([2]);
    expect(await ids("score=eq.31.5")).toEqual([3]);
  });

  it("values whose postgres.js serializer would mangle them arrive intact", async () => {
    // Bound as text and cast in SQL: the driver's bool/json/date serializers never see them.
    expect(await ids("active=eq.true&order=id")).toEqual([1, 4, 6]);
    expect(await ids("active=eq.f&order=id")).toEqual([2, 5]);
    expect(await ids("born=lt.infinity&order=id")).toEqual([1, 3, 4, 5]);
    expect(await ids("created_at=lt.2024-01-03 00:00:00%2B00&order=id")).toEqual([1]);
    expect(await ids('doc=in.({"k":1},{"k":6})&order=id')).toEqual([1, 6]);
  });

  it("in, including quoted items, enums and the empty list", async () => {
    expect(await ids("id=in.(1,3,5)&order=id")).toEqual([1, 3, 5]);
    expect(await ids('name=in.("O\'Brien; --",Bob)&order=id')).toEqual([2, 6]);
    expect(await ids("mood=in.(happy,meh)&order=id")).toEqual([1, 4, 5]);
    expect(await ids("id=in.()")).toEqual([]);
    expect(await ids("id=not.in.()&order=id")).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it("PostgREST's other operators: arrays, patterns, distinctness, any/all, full text", async () => {
    expect(await ids("tags=cs.{a}&order=id")).toEqual([1]);
    expect(await ids("tags=cd.{a,b}&order=id")).toEqual([1, 2, 4]);
    expect(await ids("tags=ov.{b,x}&order=id")).toEqual([1, 4]);
    expect(await ids("tags=eq.{}")).toEqual([2]);
    expect(await ids("mood=eq.sad")).toEqual([2]);
    expect(await ids("name=match.^[AB]&order=id")).toEqual([1, 2]);
    expect(await ids("name=imatch.^a&order=id")).toEqual([1, 5]);
    expect(await ids("name=like(any).{A*,*b}&order=id")).toEqual([1, 2]);
    expect(await ids("name=ilike(all).{a*,*a}&order=id")).toEqual([5]);
    expect(await ids("age=isdistinct.25&order=id")).toEqual([1, 2, 3, 4]);
    expect(await ids("id=eq(any).{2,4,9}&order=id")).toEqual([2, 4]);
    expect(await ids("id=not.lt(all).{3,5}&order=id")).toEqual([3, 4, 5, 6]);
    expect(await ids("mood=neq(all).{happy,meh}&order=id")).toEqual([2]);
    expect(await ids("name=fts(simple).alice|bob&order=id")).toEqual([1, 2]);
    expect(await ids("name=wfts.charlie")).toEqual([3]);
  });

  it("JSON paths in select, filters and order, keys and indexes bound", async () => {
    expect(await ids("meta->>k=eq.2")).toEqual([2]);
    expect(await ids("doc->k=gt.4&order=id")).toEqual([5, 6]);
    expect(await ids("tags->>0=eq.a&order=id")).toEqual([1]);
    expect(await ids("order=meta->k.desc&limit=2")).toEqual([6, 5]);
    expect(await rows("select=k:meta->>k,first:tags->0&id=eq.1")).toEqual([{ k: "1", first: "a" }]); // jsonb, parsed by this test's driver
  });

  it("is null / not_null / true / false / unknown", async () => {
    expect(await ids("born=is.null&order=id")).toEqual([2, 6]);
    expect(await ids("born=not.is.null&order=id")).toEqual([1, 3, 4, 5]);
    expect(await ids("name=is.not_null&order=id")).toEqual([1, 2, 3, 5, 6]);
    expect(await ids("active=is.true&order=id")).toEqual([1, 4, 6]);
    expect(await ids("active=is.false&order=id")).toEqual([2, 5]);
    expect(await ids("active=is.unknown")).toEqual([3]);
  });

  it("not. follows SQL's three-valued logic", async () => {
    // NOT (age >= 30) is unknown for a NULL age, so Charlie is excluded, as in PostgREST.
    expect(await ids("age=not.gte.30&order=id")).toEqual([1, 5, 6]);
    expect(await ids("name=not.in.(Alice,Bob)&order=id")).toEqual([3, 5, 6]);
  });

  it("like/ilike with * wildcards, also on non-text columns", async () => {
    expect(await ids("name=like.*li*&order=id")).toEqual([1, 3, 5]);
    expect(await ids("name=ilike.AL*&order=id")).toEqual([1, 5]);
    expect(await ids("name=like.Al*")).toEqual([1]);
    expect(await ids("score=like.*.5&order=id")).toEqual([1, 3, 5]);
  });

  it("nested or/and/not groups", async () => {
    const query = "or=(age.lt.20,and(name.ilike.*a*,not.or(active.is.false,age.gt.50)),id.eq.4)&order=id";
    const keep = (p: Person) =>
      (p.age !== null && p.age < 20) ||
      (p.name !== null && /a/i.test(p.name) && p.active !== false && !(p.age !== null && p.age > 50) && !(p.active === null && p.age === null)) ||
      p.id === 4;
    expect(await ids(query)).toEqual(expected(keep));
    expect(await ids("not.and=(active.is.true,age.gt.20)&order=id")).toEqual([1, 2, 3, 5]);
  });

  it("json, jsonb, arrays and awkward column names", async () => {
    expect(await ids('doc=eq.{"k": 2}')).toEqual([2]);
    expect(await ids('meta=eq.{"k":3}')).toEqual([3]);
    expect(await ids("tags=eq.{a,b}")).toEqual([1]);
    expect(await ids('or=(tags.eq."{\\"a, b\\"}")')).toEqual([5]);
    expect(await ids("%22we%5C%22ird%22=eq.w4")).toEqual([4]);
    expect(await ids("and=(select.eq.s5)")).toEqual([5]);
  });

  it("hostile values are just values", async () => {
    expect(await ids("name=eq.x'; drop table data.people; --")).toEqual([]);
    expect(await ids("name=eq.O'Brien; --")).toEqual([6]);
    const [row] = await sql`select count(*)::int as n from data.people`;
    expect(row!.n).toBe(6);
  });
});

describe("shape, order and paging against Postgres", () => {
  it("orders with nulls first/last", async () => {
    expect(await ids("order=age.desc.nullslast,id")).toEqual([4, 2, 5, 6, 1, 3]);
    expect(await ids("order=age.asc.nullsfirst,id.desc")).toEqual([3, 1, 6, 5, 2, 4]);
    expect(await ids("order=age.desc,id")).toEqual([3, 4, 2, 5, 6, 1]);
    expect(await ids("order=doc.desc&limit=2")).toEqual([6, 5]);
  });

  it("selects with aliases and casts", async () => {
    expect(await rows("select=ident:id::text,name,n:age::int8&id=eq.1")).toEqual([{ ident: "1", name: "Alice", n: "17" }]);
  });

  it("pages with limit/offset, Range and the row cap", async () => {
    expect(await ids("order=id&limit=2&offset=1")).toEqual([2, 3]);
    expect(await ids("order=id", { range: "3-4" })).toEqual([4, 5]);
    expect((await rows("order=id", {}, 3)).length).toBe(3);
  });

  it("counts exactly, by plan and by reltuples", async () => {
    const request = parseReadRequest({ params: new URLSearchParams("or=(age.gt.20,name.like.A*)") });
    const exact = buildExactCountQuery(catalog, ref, request, { rowCap: 1000 });
    const [counted] = await extendedQuery(sql, exact.text, exact.params);
    expect(Number(counted!.count)).toBe(5);

    const planned = buildPlannedCountQuery(catalog, ref, request, { rowCap: 1000 });
    const estimate = readPlannedCount(await extendedQuery(sql, planned.text, planned.params));
    expect(estimate).toEqual(expect.any(Number));
    expect(estimate!).toBeGreaterThanOrEqual(1);

    const tuples = buildEstimateQuery(catalog, ref);
    const [row] = await extendedQuery(sql, tuples.text, tuples.params);
    expect(Number(row!.estimate)).toBe(6);
  });
});
