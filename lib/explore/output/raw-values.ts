import "server-only";
import { parsePgArray, type ArrayElements } from "@/lib/explore/output/pg-array";
/**
 * Rows of user SQL (the SQL API, saved queries) are read in Postgres' text format (postgres.js
 * `.raw()`: one Buffer per value) and typed here, by column type OID, to what Postgres' own
 * `to_json` gives — the typing the table API's bodies get from Postgres itself (sql/json-rows.ts),
 * so both APIs answer the same value the same way. Nothing goes through a Date object shifted by
 * the Node process' time zone; every value is what Postgres printed, re-shaped.
 */
const BOOL_OID = 16;
const INT_OIDS = new Set([21, 23]); // int2, int4 (oid is a string in to_json)
const FLOAT_OIDS = new Set([700, 701]); // float4, float8
const EXACT_OIDS = new Set([20, 1700]); // int8, numeric
const JSON_OIDS = new Set([114, 3802]); // json, jsonb
const TIMESTAMPTZ_OID = 1184;
const TIMESTAMP_OID = 1114;

/** Array type OID → element type OID, for the arrays whose elements are typed above (others: text elements). */
const ARRAY_ELEMENT: ReadonlyMap<number, number> = new Map([
  [1000, 16], [1005, 21], [1007, 23], [1028, 26], [1021, 700], [1022, 701], [1016, 20], [1231, 1700],
  [199, 114], [3807, 3802], [1185, 1184], [1115, 1114],
  // Text-valued elements: text, varchar, bpchar, name, uuid, date, time, timetz, interval, inet, cidr, int4range, numrange, tsrange, tstzrange, daterange, int8range.
  [1009, 25], [1015, 1043], [1014, 1042], [1003, 19], [2951, 2950], [1182, 1082], [1183, 1083], [1270, 1266], [1187, 1186],
  [1041, 869], [651, 650], [3905, 3904], [3907, 3906], [3909, 3908], [3911, 3910], [3913, 3912], [3927, 3926],
]); // prettier-ignore

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** int8/numeric: a JSON number like to_json's, kept as text only when a JS number would change it. */
function exactNumber(text: string): number | string {
  const value = Number(text);
  if (!Number.isFinite(value)) return text; // NaN, ±Infinity: to_json quotes them too
  if (/^-?\d+$/.test(text)) return Number.isSafeInteger(value) ? value : text;
  // A decimal is exact when its digits survive the round trip (trailing zeros aside).
  const trimmed = text.includes(".") ? text.replace(/0+$/, "").replace(/\.$/, "") : text;
  return String(value) === trimmed ? value : text;
}

/** `2023-03-16 16:06:52+00` → `2023-03-16T16:06:52+00:00`, as to_json writes timestamps. */
function isoTimestamp(text: string, withZone: boolean): string {
  if (!/^\d{4,}-\d\d-\d\d \d/.test(text) || text.endsWith(" BC")) return text; // infinity, BC dates: as printed
  const iso = text.replace(" ", "T");
  return withZone ? iso.replace(/([+-]\d\d)$/, "$1:00") : iso;
}

function fromText(text: string, typeOid: number): JsonValue {
  if (typeOid === BOOL_OID) return text === "t";
  if (INT_OIDS.has(typeOid)) return Number(text);
  if (FLOAT_OIDS.has(typeOid)) {
    const value = Number(text);
    return Number.isFinite(value) ? value : text;
  }
  if (EXACT_OIDS.has(typeOid)) return exactNumber(text);
  if (JSON_OIDS.has(typeOid)) return JSON.parse(text) as JsonValue;
  if (typeOid === TIMESTAMPTZ_OID) return isoTimestamp(text, true);
  if (typeOid === TIMESTAMP_OID) return isoTimestamp(text, false);
  const element = ARRAY_ELEMENT.get(typeOid);
  if (element !== undefined) {
    const parsed = parsePgArray(text);
    if (parsed !== null) return mapElements(parsed, element);
  }
  return text;
}

function mapElements(elements: ArrayElements, typeOid: number): JsonValue[] {
  return elements.map((e) => (e === null ? null : Array.isArray(e) ? mapElements(e, typeOid) : fromText(e, typeOid)));
}

/**
 * One value for a JSON answer, as `to_json` types it: numbers (int8 and numeric too, unless a
 * JS number cannot hold them exactly — then their text; NaN and ±Infinity as text), booleans,
 * json/jsonb nested, timestamps in ISO 8601, arrays as JSON arrays; the rest as Postgres' text.
 */
export function jsonValue(raw: Buffer | null, typeOid: number): JsonValue {
  return raw === null ? null : fromText(raw.toString("utf8"), typeOid);
}

/**
 * How CSV cells that a spreadsheet would run as a formula are written: "escape" (the default)
 * makes them inert, "raw" (`Accept: text/csv; formulas=raw`, for machine consumers) leaves
 * every value exactly as Postgres printed it.
 */
export type CsvFormulas = "escape" | "raw";

/** A negative number is a number to every spreadsheet, not a formula: left as it is. */
const NEGATIVE_NUMBER = /^-(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;
const LEADING_SPACE = /^\s/;
const TRAILING_SPACE = /\s$/;

/**
 * What Excel, LibreOffice and Google Sheets start a formula (or DDE call) with: = + - @ tab CR.
 * A UTF-16 code or a byte: all six are ASCII (csv-bytes.ts reads bytes with it).
 */
export function isFormulaStart(code: number): boolean {
  return code === 61 || code === 43 || code === 45 || code === 64 || code === 9 || code === 13;
}

/**
 * Whether a field must be quoted: it holds a quote, comma, CR or LF, or starts or ends with
 * whitespace (`\s`). Written as a scan rather than a regex because it runs once per cell of
 * every export; a character that can be `\s` at all (≤ space, or ≥ U+00A0) is left to the
 * regex, so the answer is the regex's exactly.
 */
function needsQuotes(text: string): boolean {
  const first = text.charCodeAt(0);
  if ((first <= 32 || first >= 0xa0) && LEADING_SPACE.test(text)) return true;
  const last = text.charCodeAt(text.length - 1);
  if ((last <= 32 || last >= 0xa0) && TRAILING_SPACE.test(text)) return true;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 34 || code === 44 || code === 13 || code === 10) return true;
  }
  return false;
}

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
  // toString() without an argument is UTF-8, and skips the lookup of the encoding's name.
  const text = typeof raw === "string" ? raw : raw.toString();
  if (text === "") return '""';
  if (formulas === "escape" && isFormulaStart(text.charCodeAt(0)) && !NEGATIVE_NUMBER.test(text)) return `"'${text.replaceAll('"', '""')}"`;
  return needsQuotes(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvLine(fields: ReadonlyArray<Buffer | string | null>, formulas: CsvFormulas = "escape"): string {
  let line = "";
  for (let i = 0; i < fields.length; i++) line += i === 0 ? csvField(fields[i] ?? null, formulas) : `,${csvField(fields[i] ?? null, formulas)}`;
  return `${line}\r\n`;
}
