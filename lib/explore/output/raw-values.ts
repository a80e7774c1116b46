import "server-only";
/**
 * Rows are read in Postgres' text format (postgres.js `.raw()`: one Buffer per value) and
 * converted here, by column type OID, so every value is exactly what Postgres printed — no
 * Date objects shifted by the Node process' time zone, no float rounding of int8/numeric.
 */
const NUMBER_OIDS = new Set([21, 23, 26, 700, 701]); // int2, int4, oid, float4, float8
const BOOL_OID = 16;
const JSON_OIDS = new Set([114, 3802]); // json, jsonb

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * One value for a JSON answer: int2/int4/float as numbers (NaN and ±Infinity stay strings, as
 * JSON has no such numbers), booleans, json/jsonb parsed; everything else — int8 and numeric
 * included, to keep their precision — as Postgres' text.
 */
export function jsonValue(raw: Buffer | null, typeOid: number): JsonValue {
  if (raw === null) return null;
  const text = raw.toString("utf8");
  if (typeOid === BOOL_OID) return text === "t";
  if (NUMBER_OIDS.has(typeOid)) {
    const value = Number(text);
    return Number.isFinite(value) ? value : text;
  }
  if (JSON_OIDS.has(typeOid)) return JSON.parse(text) as JsonValue;
  return text;
}

const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/;

/**
 * How CSV cells that a spreadsheet would run as a formula are written: "escape" (the default)
 * makes them inert, "raw" (`Accept: text/csv; formulas=raw`, for machine consumers) leaves
 * every value exactly as Postgres printed it.
 */
export type CsvFormulas = "escape" | "raw";

/** What Excel, LibreOffice and Google Sheets start a formula (or DDE call) with. */
const FORMULA_START = /^[=+\-@\t\r]/;
/** A negative number is a number to every spreadsheet, not a formula: left as it is. */
const NEGATIVE_NUMBER = /^-(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, quote, line break or edge whitespace,
 * quotes doubled. NULL is an empty field; an empty string is `""`, so the two stay apart.
 * Formula injection (OWASP): a cell beginning with `=`, `+`, `-`, `@`, tab or CR gets a single
 * quote in front and is quoted, so a spreadsheet shows it as text instead of evaluating it —
 * headers too, as they are column names a user may choose (`select 1 as "=cmd()"`). The one
 * function every CSV writer uses (table API, grid, SQL, saved queries).
 */
export function csvField(raw: Buffer | string | null, formulas: CsvFormulas = "escape"): string {
  if (raw === null) return "";
  const text = typeof raw === "string" ? raw : raw.toString("utf8");
  if (text === "") return '""';
  if (formulas === "escape" && FORMULA_START.test(text) && !NEGATIVE_NUMBER.test(text)) return `"'${text.replaceAll('"', '""')}"`;
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvLine(fields: ReadonlyArray<Buffer | string | null>, formulas: CsvFormulas = "escape"): string {
  return `${fields.map((field) => csvField(field, formulas)).join(",")}\r\n`;
}
