import postgres, { type Sql } from "postgres";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { jsonValue } from "@/lib/explore/output";

/**
 * The SQL API types values in Node (output/raw-values.ts), the table API lets Postgres do it
 * (to_json). Both must agree: each value here is read both ways from a real Postgres and the
 * two answers compared.
 */
const serverUrl = process.env.DATABASE_URL ?? inject("database")?.serverUrl ?? "postgres://postgres@127.0.0.1:5432/postgres";
let sql: Sql;

beforeAll(() => {
  sql = postgres(serverUrl, { max: 1, onnotice: () => {}, connection: { TimeZone: "Asia/Kolkata" } });
});
afterAll(async () => {
  await sql?.end({ timeout: 2 });
});

const EXPRESSIONS = [
  "1::int2", "-5::int4", "42::oid", "1.5::float4", "-2.25e10::float8", "'NaN'::float8", "'-Infinity'::float8",
  "5::int8", "-9007199254740991::int8", "1042.65::numeric", "1.50::numeric", "0::numeric", "-0.001::numeric", "'NaN'::numeric",
  "true", "false", "'{\"a\":[1,{\"b\":null}]}'::json", "'[1,\"x\"]'::jsonb", "'\"s\"'::jsonb",
  "'2023-03-16 16:06:52+00'::timestamptz", "'2023-03-16 16:06:52.123456+05:53'::timestamptz", "'infinity'::timestamptz",
  "'2023-03-16 16:06:52'::timestamp", "'2023-03-16 16:06:52.5'::timestamp", "'-infinity'::timestamp",
  "'2023-03-16'::date", "'16:06:52'::time", "'16:06:52+02'::timetz", "'1 day 02:00'::interval",
  "'{1,2,3}'::int4[]", "'{{1,2},{3,NULL}}'::int8[]", "'[0:1]={1.5,2}'::numeric[]", "'{}'::int4[]", "'{t,f,NULL}'::bool[]",
  "array['a b', 'c\"d', 'e\\f', 'NULL', '', null]::text[]", "array['x']::varchar[]", "array['{\"a\":1}'::jsonb]",
  "array['2023-03-16 16:06:52+00'::timestamptz]", "array['2023-03-16'::date]", "array['[1,2)'::int4range]",
  "'[1,5)'::int4range", "'abc'::text", "'a  '::char(3)", "'00000000-0000-0000-0000-000000000001'::uuid", "'192.168.0.1/24'::inet",
  "'\\x0102'::bytea", "'(1,2)'::point", "'fat & rat'::tsquery", "12.34::money", "B'101'::bit(3)",
]; // prettier-ignore

describe("Node's typing of raw values agrees with to_json", () => {
  it.each(EXPRESSIONS)("%s", async (expression) => {
    const result = await sql.unsafe(`select ${expression} as v, to_json(${expression})::text as j`).raw();
    const row = result[0] as unknown as [Buffer, Buffer];
    const oid = (result as unknown as { columns: Array<{ type: number }> }).columns[0]!.type;
    expect(jsonValue(row[0], oid)).toEqual(JSON.parse(row[1].toString("utf8")));
  });

  it("keeps the digits JSON.parse would lose as text rather than a rounded number", async () => {
    const result = await sql.unsafe(`select 9007199254740993::int8 as v, 0.1000000000000000000001::numeric as w`).raw();
    const [v, w] = result[0] as unknown as [Buffer, Buffer];
    expect(jsonValue(v, 20)).toBe("9007199254740993");
    expect(jsonValue(w, 1700)).toBe("0.1000000000000000000001");
  });
});
