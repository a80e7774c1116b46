/**
 * The types a saved query's `{{name}}` parameter can have, the Postgres type each is cast to,
 * and which of them fits a type Postgres infers for the placeholder (the editor's default).
 * Pure and browser-safe: the saved-query editor offers these, the server validates with them.
 */
import type { SavedQueryParameter } from "@/lib/db/schema/saved-queries";

export type ParameterType = SavedQueryParameter["type"];

/** What a value is cast to in SQL (`$n::text::<cast>`): every value is bound as text. */
export const PARAMETER_CAST: Record<ParameterType, string> = {
  text: "text",
  number: "numeric",
  integer: "bigint",
  date: "date",
  timestamp: "timestamptz",
  boolean: "boolean",
  list: "text[]",
};

/** In the order the editor lists them. */
export const PARAMETER_TYPES = Object.keys(PARAMETER_CAST) as ParameterType[];

/** How the editor names a type, with the Postgres type behind it. */
export const PARAMETER_TYPE_LABEL: Record<ParameterType, string> = {
  text: "text",
  number: "number (numeric)",
  integer: "integer (bigint)",
  date: "date",
  timestamp: "timestamp (tz)",
  boolean: "boolean",
  list: "list (text[])",
};

// Built-in type OIDs (pg_type.dat); stable across Postgres versions.
const BY_OID: ReadonlyMap<number, ParameterType> = new Map([
  [16, "boolean"],
  [20, "integer"],
  [21, "integer"],
  [23, "integer"],
  [26, "integer"],
  [700, "number"],
  [701, "number"],
  [790, "number"],
  [1700, "number"],
  [1082, "date"],
  [1114, "timestamp"],
  [1184, "timestamp"],
]);

/** pg_type.typcategory 'A': arrays become lists; anything without a closer fit is text. */
export function parameterTypeFor(inferred: { oid: number; isArray: boolean }): ParameterType {
  if (inferred.isArray) return "list";
  return BY_OID.get(inferred.oid) ?? "text";
}
