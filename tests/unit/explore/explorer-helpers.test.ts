import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { chooseMedia, csvFormulas, wantsCsv } from "@/lib/explore/output";
import { assertSatisfiable, contentRange, expectedRows, pageStatus } from "@/lib/explore/output";
import { pgErrorToApiError } from "@/lib/explore/pg-errors";
import { csvField, csvLine, jsonValue } from "@/lib/explore/output";
import { renderSavedQuery, savedQueryCreateSchema, valuesFromSearchParams } from "@/lib/explore/saved-queries";
import { findPlaceholders } from "@/lib/explore/sql";
import { checkStatement, leadingKeyword } from "@/lib/explore/sql";

describe("CSV", () => {
  it("escapes per RFC 4180 and keeps NULL apart from the empty string", () => {
    expect(csvLine([Buffer.from("a"), null, Buffer.from(""), Buffer.from('say "hi", ok'), Buffer.from("two\nlines"), Buffer.from(" pad")])).toBe(
      'a,,"","say ""hi"", ok","two\nlines"," pad"\r\n',
    );
  });

  it("round-trips any text through a minimal RFC 4180 reader (raw), and with formulas escaped", () => {
    const parse = (field: string) => (field.startsWith('"') ? field.slice(1, -1).replaceAll('""', '"') : field);
    fc.assert(fc.property(fc.string(), (text) => parse(csvField(text, "raw")) === text));
    // Escaped: the same text, with a single quote in front exactly when it could start a formula.
    fc.assert(
      fc.property(fc.string(), (text) => {
        const read = parse(csvField(text));
        return /^[=+\-@\t\r]/.test(text) && !/^-(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text) ? read === `'${text}` : read === text;
      }),
    );
  });

  it("makes formula cells inert (OWASP): a quote in front, and quoted", () => {
    expect(csvLine(["=1+1", "+1", "-1+2", "@SUM(A1)", "\tx", "\rx", "-5", "-0.5", "-1e3", "a-b", "-"])).toBe(
      `"'=1+1","'+1","'-1+2","'@SUM(A1)","'\tx","'\rx",-5,-0.5,-1e3,a-b,"'-"\r\n`,
    );
    expect(csvLine([Buffer.from('=HYPERLINK("x")')])).toBe(`"'=HYPERLINK(""x"")"\r\n`);
    expect(csvLine(["=1+1", "\tx"], "raw")).toBe(`=1+1,"\tx"\r\n`);
  });

  it("reads the opt-out from Accept only", () => {
    expect(csvFormulas("text/csv; formulas=raw")).toBe("raw");
    expect(csvFormulas("application/json, text/csv;formulas=raw;q=0.9")).toBe("raw");
    expect(csvFormulas("text/csv")).toBe("escape");
    expect(csvFormulas("text/csv; formulas=escape")).toBe("escape");
    expect(csvFormulas(null)).toBe("escape");
  });
});

describe("jsonValue", () => {
  it("types values by OID as to_json does, keeping int8/numeric exact", () => {
    expect(jsonValue(Buffer.from("42"), 23)).toBe(42);
    expect(jsonValue(Buffer.from("NaN"), 701)).toBe("NaN");
    expect(jsonValue(Buffer.from("5"), 20)).toBe(5);
    expect(jsonValue(Buffer.from("1042.65"), 1700)).toBe(1042.65);
    expect(jsonValue(Buffer.from("1.50"), 1700)).toBe(1.5);
    // Past what a JS number holds exactly: the text, never a rounded number.
    expect(jsonValue(Buffer.from("9007199254740993"), 20)).toBe("9007199254740993");
    expect(jsonValue(Buffer.from("0.10000000000000000001"), 1700)).toBe("0.10000000000000000001");
    expect(jsonValue(Buffer.from("t"), 16)).toBe(true);
    expect(jsonValue(Buffer.from('{"a":[1]}'), 3802)).toEqual({ a: [1] });
    expect(jsonValue(Buffer.from("2024-01-05 10:00:00"), 1114)).toBe("2024-01-05T10:00:00");
    expect(jsonValue(Buffer.from("2024-01-05 10:00:00.5+00"), 1184)).toBe("2024-01-05T10:00:00.5+00:00");
    expect(jsonValue(Buffer.from("2024-01-05 10:00:00+05:30"), 1184)).toBe("2024-01-05T10:00:00+05:30");
    expect(jsonValue(Buffer.from("infinity"), 1184)).toBe("infinity");
    expect(jsonValue(Buffer.from("{{1,NULL},{3,4}}"), 1007)).toEqual([
      [1, null],
      [3, 4],
    ]);
    expect(jsonValue(Buffer.from('[0:1]={"a b","c\\"d"}'), 1009)).toEqual(["a b", 'c"d']);
    expect(jsonValue(Buffer.from("{}"), 1016)).toEqual([]);
    expect(jsonValue(Buffer.from("(1,2)"), 600)).toBe("(1,2)");
    expect(jsonValue(null, 23)).toBeNull();
  });
});

describe("Content-Range", () => {
  it("follows PostgREST", () => {
    expect(contentRange(0, 25, 1234)).toBe("0-24/1234");
    expect(contentRange(10, 5, null)).toBe("10-14/*");
    expect(contentRange(1000, 0, 1000)).toBe("*/1000");
    expect(pageStatus(25, 1234)).toBe(206);
    expect(pageStatus(3, 3)).toBe(200);
    expect(pageStatus(25, null)).toBe(200);
    expect(expectedRows(990, 25, 1000)).toBe(10);
    expect(() => assertSatisfiable(1001, 1000)).toThrow(expect.objectContaining({ status: 416, headers: { "Content-Range": "*/1000" } }));
    expect(() => assertSatisfiable(1000, 1000)).not.toThrow();
  });
});

describe("statement kind", () => {
  it("finds the first keyword past comments and parentheses", () => {
    expect(leadingKeyword(" /* a /* nested */ b */ -- x\n ((SELECT 1))")).toBe("select");
    expect(leadingKeyword("-- only a comment")).toBeNull();
    expect(() => checkStatement("/* hi */ DELETE FROM t")).toThrow(/got DELETE/);
    expect(() => checkStatement("  ")).toThrow(/empty/);
    expect(checkStatement("with x as (select 1) select * from x")).toEqual({ keyword: "with", unknown: false });
  });
});

describe("Postgres error mapping", () => {
  it("never maps to a 500 and points into the user's SQL", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9A-Z]{5}$/), fc.string(), (code, message) => {
        const error = pgErrorToApiError({ code, message });
        expect(error.status).toBeGreaterThanOrEqual(400);
        expect(error.status).not.toBe(500);
      }),
    );
    expect(pgErrorToApiError({ code: "42703", message: "x", position: "30" }, { positionOffset: 22 }).details).toMatchObject({ position: 8 });
    expect(pgErrorToApiError({ code: "57014", message: "canceling statement due to statement timeout" }).details).toMatchObject({
      reason: "timeout",
    });
  });
});

describe("Accept", () => {
  it("chooses the highest-ranked media type served, JSON by default", () => {
    expect(chooseMedia("application/vnd.pgrst.object+json")).toBe("object");
    expect(chooseMedia("application/vnd.pgrst.object")).toBe("object");
    expect(chooseMedia("application/json;q=0.5, application/vnd.pgrst.object+json")).toBe("object");
    expect(chooseMedia("text/csv;q=0, application/json")).toBe("json");
    expect(chooseMedia("text/html")).toBe("json");
    expect(chooseMedia(null)).toBe("json");
  });

  it("picks CSV only when preferred", () => {
    expect(wantsCsv("text/csv")).toBe(true);
    expect(wantsCsv("application/json, text/csv;q=0.5")).toBe(false);
    expect(wantsCsv("*/*")).toBe(false);
    expect(wantsCsv(null)).toBe(false);
  });
});

describe("saved-query parameters", () => {
  const parameters = [
    { name: "status", type: "text" as const },
    { name: "min", type: "number" as const, required: false },
    { name: "since", type: "date" as const, default: "2024-01-01" },
    { name: "ids", type: "list" as const },
  ];

  it("finds placeholders outside literals, identifiers, dollar quotes and comments", () => {
    const sql = `select {{a}}, '{{b}}', "{{c}}", $q$ {{d}} $q$, E'\\' {{e}}' -- {{f}}\n/* {{g}} */ {{ h }}`;
    expect(findPlaceholders(sql).map((p) => p.name)).toEqual(["a", "h"]);
  });

  it("renders {{name}} as one cast $n per name and binds values as text", () => {
    const rendered = renderSavedQuery(
      "select * from t where s = {{status}} or s2 = {{status}} and n > {{min}} and d >= {{since}} and id = any({{ids}}::int[])",
      parameters,
      { status: "o'k", ids: ["1", '2"', "a\\b"] },
    );
    expect(rendered.text).toBe(
      "select * from t where s = ($1::text::text) or s2 = ($1::text::text) and n > ($2::text::numeric) and d >= ($3::text::date) and id = any(($4::text::text[])::int[])",
    );
    expect(rendered.params).toEqual(["o'k", null, "2024-01-01", '{"1","2\\"","a\\\\b"}']);
  });

  it("refuses bad values, missing required ones and unknown names with a 400", () => {
    expect(() => renderSavedQuery("select {{status}}", parameters, { ids: "1" })).toThrow(/status is required/);
    expect(() => renderSavedQuery("select 1", parameters, { status: "x", ids: "1", min: "1; drop" })).toThrow(/min must be a number/);
    expect(() => renderSavedQuery("select 1", parameters, { status: "x", ids: "1", since: "2024-02-30" })).toThrow(/since must be a date/);
    expect(() => renderSavedQuery("select 1", parameters, { status: "x", ids: "1", nope: "1" })).toThrow(/Unknown parameter/);
  });

  it("validates definitions against the SQL", () => {
    expect(savedQueryCreateSchema.safeParse({ name: "q", sql: "select {{x}}" }).success).toBe(false);
    expect(
      savedQueryCreateSchema.safeParse({ name: "q", sql: "select {{x}}", parameters: [{ name: "x", type: "date", default: "soon" }] }).success,
    ).toBe(false);
    expect(savedQueryCreateSchema.parse({ name: "q", sql: "select {{x}}", parameters: [{ name: "x", type: "number" }] })).toMatchObject({
      shared: false,
      cacheMaxAgeS: 0,
    });
    expect(valuesFromSearchParams(new URLSearchParams("a=1&b=2&b=3"))).toEqual({ a: "1", b: ["2", "3"] });
  });
});
