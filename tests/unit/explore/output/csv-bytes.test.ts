import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { csvBatchBytes, csvField, csvLine, type CsvFormulas } from "@/lib/explore/output";

/*
 * csvBatchBytes must give exactly the bytes the CSV writers sent before it: each value decoded
 * as UTF-8, written by csvField, the lines joined and encoded. The oracle below is that writer
 * as it was (regexes, map/join, TextEncoder), kept here so that the scans that replaced the
 * regexes are checked against it too.
 */
const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/;
const FORMULA_START = /^[=+\-@\t\r]/;
const NEGATIVE_NUMBER = /^-(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

function oracleField(raw: Buffer | string | null, formulas: CsvFormulas): string {
  if (raw === null) return "";
  const text = typeof raw === "string" ? raw : raw.toString("utf8");
  if (text === "") return '""';
  if (formulas === "escape" && FORMULA_START.test(text) && !NEGATIVE_NUMBER.test(text)) return `"'${text.replaceAll('"', '""')}"`;
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function oracleBatch(rows: Array<Array<Buffer | null>>, formulas: CsvFormulas): Buffer {
  const text = rows.map((row) => `${row.map((value) => oracleField(value, formulas)).join(",")}\r\n`).join("");
  return Buffer.from(new TextEncoder().encode(text));
}

/** Values an export meets, and the edges: formula starts, negative numbers, quotes, Unicode spaces, broken UTF-8. */
const tricky = [
  "",
  "=1+1",
  "+1",
  "-5",
  "-0.5",
  "-1e3",
  "-",
  "@x",
  "\tx",
  "\rx",
  "x\r",
  " x",
  "x ",
  "\u00a0x",
  "x\u3000",
  "\ufeff",
  'a"b',
  "a,b",
  "a\nb",
  "ümlaut",
  "日本",
  "x\u2028",
];
const value = fc.oneof(
  fc.constant(null),
  fc.constantFrom(...tricky).map((text) => Buffer.from(text)),
  fc.string().map((text) => Buffer.from(text)),
  fc.string({ unit: "grapheme" }).map((text) => Buffer.from(text)),
  fc.uint8Array({ maxLength: 12 }).map((bytes) => Buffer.from(bytes)),
  fc.stringMatching(/^[0-9a-f -]{0,40}$/).map((text) => Buffer.from(text)),
);
const rows = fc.array(fc.array(value, { minLength: 1, maxLength: 5 }), { maxLength: 8 });
const formulas = fc.constantFrom<CsvFormulas>("escape", "raw");

describe("csvBatchBytes", () => {
  it("writes exactly the bytes of the string writer, whatever the values (broken UTF-8 included)", () => {
    fc.assert(
      fc.property(rows, formulas, (batch, mode) => {
        expect(Buffer.from(csvBatchBytes(batch, mode)).equals(oracleBatch(batch, mode))).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it("csvField and csvLine still agree with the regex writer", () => {
    fc.assert(
      fc.property(fc.array(value, { minLength: 1, maxLength: 5 }), formulas, (row, mode) => {
        expect(csvLine(row, mode)).toBe(`${row.map((v) => oracleField(v, mode)).join(",")}\r\n`);
        for (const v of row) expect(csvField(v === null ? null : v.toString("utf8"), mode)).toBe(oracleField(v, mode));
      }),
      { numRuns: 2000 },
    );
  });

  it("copies plain values as they are and grows past its first guess", () => {
    const wide = Array.from({ length: 3 }, (_, i) => [Buffer.from(String(i)), Buffer.from("x".repeat(5000)), null]);
    const bytes = Buffer.from(csvBatchBytes(wide, "escape")).toString("utf8");
    expect(bytes).toBe(wide.map((row) => `${row[0]},${"x".repeat(5000)},\r\n`).join(""));
    expect(Buffer.from(csvBatchBytes([[Buffer.from("-5"), Buffer.from("=1"), Buffer.from("")]], "escape")).toString()).toBe(`-5,"'=1",""\r\n`);
  });
});
