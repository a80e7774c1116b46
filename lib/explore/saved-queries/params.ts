import "server-only";
import { z } from "zod";
import { CHART_TYPES, type SavedQueryParameter } from "@/lib/db/schema/saved-queries";
import { ApiError } from "@/lib/core/errors";
import { findPlaceholders, PARAMETER_CAST, PARAMETER_TYPES, substitutePlaceholders, type ParameterType } from "@/lib/explore/sql";

/*
 * Saved queries' `{{name}}` parameters: the zod schemas the pages' server actions and the API
 * validate with, and the rendering of a query into SQL with `$n` placeholders — every value
 * bound as text and cast in SQL by the parameter's type (lib/explore/sql/parameter-types.ts).
 */

const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const INTEGER = /^[+-]?\d{1,19}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
/** A date, optionally a time (`T` or a space), optionally a zone: what ISO 8601 and Postgres both read. */
const TIMESTAMP = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,6})?)?(?:\s*(?:Z|[+-]\d{2}(?::?\d{2})?))?)?$/i;
const BOOLEAN = /^(true|false|t|f|yes|no|on|off|1|0)$/i;
const MAX_TEXT = 10_000;
const MAX_LIST = 1000;

const scalar = z.union([z.string().max(MAX_TEXT), z.number()]);

export const parameterSchema = z
  .object({
    name: z.string().regex(NAME, "use letters, digits and _ (not starting with a digit)"),
    type: z.enum(PARAMETER_TYPES as [ParameterType, ...ParameterType[]]),
    label: z.string().trim().max(120).optional(),
    default: z.union([scalar, z.array(z.string().max(MAX_TEXT)).max(MAX_LIST)]).optional(),
    required: z.boolean().optional(),
  })
  .strict();

const columnName = z.string().min(1).max(200);

/** A chart of the query's result; its columns are checked against the result when it is drawn, not here (the SQL may change). */
export const chartSchema = z
  .object({
    type: z.enum(CHART_TYPES),
    x: columnName,
    y: z.array(columnName).min(1, "pick at least one value column").max(8),
    series: columnName.optional(),
  })
  .strict();

const queryFields = {
  name: z.string().trim().min(1, "give the query a name").max(200),
  description: z.string().trim().max(2000).default(""),
  sql: z.string().trim().min(1, "write some SQL").max(100_000),
  parameters: z.array(parameterSchema).max(50).default([]),
  shared: z.boolean().default(false),
  cacheMaxAgeS: z.number().int().min(0).max(86_400).default(0),
  chart: chartSchema.nullable().default(null),
};

/** Every `{{name}}` in the SQL has a definition, and names are unique. */
function checkParameters<T extends { sql: string; parameters: SavedQueryParameter[] }>(value: T, ctx: z.RefinementCtx<T>) {
  const names = new Set<string>();
  for (const [i, p] of value.parameters.entries()) {
    if (names.has(p.name)) ctx.addIssue({ code: "custom", path: ["parameters", i, "name"], message: `parameter ${p.name} is defined twice` });
    names.add(p.name);
    if (p.default !== undefined) {
      const problem = valueProblem(p, p.default);
      if (problem) ctx.addIssue({ code: "custom", path: ["parameters", i, "default"], message: problem });
    }
  }
  for (const placeholder of findPlaceholders(value.sql)) {
    if (!names.has(placeholder.name)) {
      ctx.addIssue({ code: "custom", path: ["sql"], message: `{{${placeholder.name}}} has no parameter definition` });
    }
  }
}

export const savedQueryCreateSchema = z.object(queryFields).strict().superRefine(checkParameters);
export type SavedQueryCreateInput = z.input<typeof savedQueryCreateSchema>;
export type SavedQueryCreate = z.output<typeof savedQueryCreateSchema>;

/** An update names the fields it changes; after merging, assertParametersMatch checks SQL and parameters together. */
export const savedQueryUpdateSchema = z
  .object({
    name: queryFields.name.optional(),
    description: z.string().trim().max(2000).optional(),
    sql: queryFields.sql.optional(),
    parameters: z.array(parameterSchema).max(50).optional(),
    shared: z.boolean().optional(),
    cacheMaxAgeS: z.number().int().min(0).max(86_400).optional(),
    chart: chartSchema.nullable().optional(),
  })
  .strict();
export type SavedQueryUpdate = z.output<typeof savedQueryUpdateSchema>;

/** Re-checks SQL and parameters after an update is merged onto the stored query. */
export function assertParametersMatch(merged: { sql: string; parameters: SavedQueryParameter[] }): void {
  const result = z
    .object({ sql: z.string(), parameters: z.array(parameterSchema) })
    .superRefine(checkParameters)
    .safeParse(merged);
  if (!result.success) {
    throw new ApiError(
      "validation_failed",
      "the query's parameters do not match its SQL",
      result.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })),
    );
  }
}

type RawValue = unknown;

function valueProblem(p: SavedQueryParameter, value: RawValue): string | null {
  return toText(p, value) === null ? `${p.name} must be ${describe(p.type)}` : null;
}

const EXPECTED: Record<SavedQueryParameter["type"], string> = {
  text: "text",
  number: "a number",
  integer: "a whole number",
  date: "a date (YYYY-MM-DD)",
  timestamp: "a date and time (YYYY-MM-DD HH:MM[:SS][+zone])",
  boolean: "true or false",
  list: "a list of values",
};

function describe(type: SavedQueryParameter["type"]): string {
  return EXPECTED[type];
}

/** A real calendar date (2024-02-30 is not). */
function isCalendarDate(text: string): boolean {
  const date = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(text);
}

/** `{a,"b c"}`: a Postgres array literal with every element quoted and escaped. */
function arrayLiteral(items: string[]): string {
  return `{${items.map((item) => `"${item.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`).join(",")}}`;
}

function scalarText(value: RawValue): string | null {
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : null;
  return typeof value === "string" ? value : null;
}

/** The text bound for a value, or null when it does not fit the type. */
function toText(p: SavedQueryParameter, value: RawValue): string | null {
  if (p.type === "list") {
    // From a query string a list arrives comma-separated; from JSON as an array.
    const items = Array.isArray(value) ? value.map(scalarText) : typeof value === "string" ? value.split(",").map((s) => s.trim()) : null;
    if (!items || items.length > MAX_LIST || items.some((item) => item === null || item.includes("\u0000"))) return null;
    return arrayLiteral(items as string[]);
  }
  const text = scalarText(value);
  if (text === null || text.length > MAX_TEXT || text.includes("\u0000")) return null;
  const trimmed = text.trim();
  if (p.type === "number") return NUMBER.test(trimmed) ? trimmed : null;
  if (p.type === "integer") return INTEGER.test(trimmed) && BigInt(trimmed) <= 2n ** 63n - 1n && BigInt(trimmed) >= -(2n ** 63n) ? trimmed : null;
  if (p.type === "date") return DATE.test(trimmed) && isCalendarDate(trimmed) ? trimmed : null;
  if (p.type === "timestamp") {
    const match = TIMESTAMP.exec(trimmed);
    const [hours, minutes, seconds] = [match?.[2], match?.[3], match?.[4]].map((part) => Number(part ?? 0));
    return match && isCalendarDate(match[1]!) && hours! < 24 && minutes! < 60 && seconds! < 60 ? trimmed : null;
  }
  if (p.type === "boolean") return BOOLEAN.test(trimmed) ? trimmed.toLowerCase() : null;
  return text;
}

export interface RenderedQuery {
  text: string;
  params: Array<string | null>;
  /** The values used, by name (defaults applied), for the audit log and the cache key. */
  values: Record<string, string | null>;
}

/**
 * `{{name}}` → `$n::type`, one `$n` per distinct name. A value left out takes the default; a
 * required one without a default is a 400, and so is a required one sent empty (`?since=`):
 * clearing a field is not asking for its default. An optional one left out or empty is its
 * default, else NULL.
 */
export function renderSavedQuery(sql: string, parameters: readonly SavedQueryParameter[], supplied: Record<string, RawValue>): RenderedQuery {
  const byName = new Map(parameters.map((p) => [p.name, p]));
  const unknown = Object.keys(supplied).filter((name) => !byName.has(name));
  if (unknown.length) {
    throw new ApiError("bad_request", `Unknown parameter ${unknown.map((n) => JSON.stringify(n)).join(", ")}`, {
      reason: "unknown_parameter",
      unknown,
      known: [...byName.keys()],
    });
  }
  const values: Record<string, string | null> = {};
  const problems: Array<{ parameter: string; message: string }> = [];
  for (const p of parameters) {
    const given = supplied[p.name];
    const empty = given === "" || (Array.isArray(given) && given.length === 0);
    const required = p.required ?? true;
    if (empty && required) {
      const message = p.default === undefined ? `${p.name} is required` : `${p.name} is required (an empty value does not fall back to its default)`;
      problems.push({ parameter: p.name, message });
      values[p.name] = null;
      continue;
    }
    const value = given === undefined || empty ? p.default : given;
    if (value === undefined) {
      if (required) problems.push({ parameter: p.name, message: `${p.name} is required` });
      values[p.name] = null;
      continue;
    }
    const text = toText(p, value);
    if (text === null) problems.push({ parameter: p.name, message: `${p.name} must be ${describe(p.type)}` });
    values[p.name] = text;
  }
  if (problems.length) {
    throw new ApiError("bad_request", problems.map((p) => p.message).join("; "), { reason: "bad_parameter", problems });
  }
  const rendered = substitutePlaceholders(sql, (name, n) => {
    const p = byName.get(name);
    if (!p) throw new ApiError("bad_request", `{{${name}}} has no parameter definition`, { reason: "unknown_parameter" });
    return `($${n}::text::${PARAMETER_CAST[p.type]})`;
  });
  return { text: rendered.text, params: rendered.names.map((name) => values[name] ?? null), values };
}

/** Query-string values: repeated keys make a list (`?ids=1&ids=2`), else the single value. */
export function valuesFromSearchParams(search: URLSearchParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const key of new Set(search.keys())) {
    const all = search.getAll(key);
    out[key] = all.length > 1 ? all : all[0]!;
  }
  return out;
}
