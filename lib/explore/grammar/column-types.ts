import {
  boolCheck,
  dateCheck,
  floatCheck,
  intCheck,
  jsonCheck,
  numericCheck,
  timeCheck,
  timestampCheck,
  uuidCheck,
  type ValueCheck,
} from "@/lib/explore/grammar/value-checks";

export type TypeFamily = "int" | "float" | "numeric" | "bool" | "text" | "date" | "timestamp" | "time" | "uuid" | "json" | "bytea" | "other";

/**
 * A builtin type the builder knows. `name` is a constant of this module; it is the only type
 * name ever written into SQL (as a `$n::name` or `col::name` cast), so request text and catalog
 * text never reach a cast.
 */
export interface BuiltinType {
  name: string;
  family: Exclude<TypeFamily, "other">;
  check: ValueCheck | null;
}

const TYPES: readonly BuiltinType[] = [
  { name: "int2", family: "int", check: intCheck(16) },
  { name: "int4", family: "int", check: intCheck(32) },
  { name: "int8", family: "int", check: intCheck(64) },
  { name: "float4", family: "float", check: floatCheck(32) },
  { name: "float8", family: "float", check: floatCheck(64) },
  { name: "numeric", family: "numeric", check: numericCheck },
  { name: "bool", family: "bool", check: boolCheck },
  { name: "text", family: "text", check: null },
  { name: "varchar", family: "text", check: null },
  { name: "bpchar", family: "text", check: null },
  { name: "name", family: "text", check: null },
  { name: "date", family: "date", check: dateCheck },
  { name: "timestamp", family: "timestamp", check: timestampCheck },
  { name: "timestamptz", family: "timestamp", check: timestampCheck },
  { name: "time", family: "time", check: timeCheck(false) },
  { name: "timetz", family: "time", check: timeCheck(true) },
  { name: "uuid", family: "uuid", check: uuidCheck },
  { name: "json", family: "json", check: jsonCheck },
  { name: "jsonb", family: "json", check: jsonCheck },
  // Bound as text and cast like the others: postgres.js would hex-encode a string it is told is bytea.
  { name: "bytea", family: "bytea", check: null },
];

const BY_NAME = new Map(TYPES.map((t) => [t.name, t]));

/** SQL-standard and format_type() spellings, mapped to typname. */
const ALIASES: Record<string, string> = {
  smallint: "int2",
  integer: "int4",
  int: "int4",
  bigint: "int8",
  real: "float4",
  "double precision": "float8",
  float: "float8",
  decimal: "numeric",
  boolean: "bool",
  "character varying": "varchar",
  character: "bpchar",
  char: "bpchar",
  "timestamp without time zone": "timestamp",
  "timestamp with time zone": "timestamptz",
  "time without time zone": "time",
  "time with time zone": "timetz",
};

/**
 * Maps a catalog or request type spelling to typname: lower case, no type modifier
 * ("numeric(10,2)" → "numeric"), arrays as "_elem" ("integer[]" → "_int4").
 */
export function normalizeTypeName(type: string): string {
  let name = type.trim().toLowerCase().replace(/\s+/g, " ");
  let array = false;
  if (name.endsWith("[]")) {
    array = true;
    name = name.replace(/(\[\])+$/, "");
  }
  name = name.replace(/\s*\([^)]*\)/g, "").trim();
  name = ALIASES[name] ?? name;
  return array ? `_${name}` : name;
}

/** The builtin behind a catalog type name, or null for enums, domains, arrays, extensions… */
export function builtinType(type: string): BuiltinType | null {
  return BY_NAME.get(normalizeTypeName(type)) ?? null;
}

/** Types without a btree opclass or `=`: filters other than is/like and ordering are refused. */
const UNCOMPARABLE: ReadonlySet<string> = new Set(["xml", "point", "line", "lseg", "box", "path", "polygon", "circle"]);

export function isComparable(type: string): boolean {
  return !UNCOMPARABLE.has(normalizeTypeName(type));
}

/**
 * select= casts: target → source types it is taken from. Only conversions that cannot fail at
 * run time (no overflow, no parse error) are listed, so a cast never turns into a 500.
 * Anything casts to text.
 */
const CAST_SOURCES: Record<string, ReadonlySet<string> | "any"> = {
  text: "any",
  int4: new Set(["int2", "int4", "bool"]),
  int8: new Set(["int2", "int4", "int8"]),
  numeric: new Set(["int2", "int4", "int8", "numeric", "float4", "float8"]),
  float8: new Set(["int2", "int4", "int8", "float4", "float8"]),
  bool: new Set(["bool"]),
  date: new Set(["date", "timestamp", "timestamptz"]),
  timestamp: new Set(["date", "timestamp", "timestamptz"]),
  timestamptz: new Set(["date", "timestamp", "timestamptz"]),
  json: new Set(["json", "jsonb"]),
  jsonb: new Set(["json", "jsonb"]),
};

export const CAST_TARGETS = Object.keys(CAST_SOURCES);

/** The canonical cast target for a request spelling, or null when not whitelisted. */
export function castTarget(type: string): string | null {
  const name = normalizeTypeName(type);
  return name in CAST_SOURCES ? name : null;
}

export function canCast(sourceType: string, target: string): boolean {
  const sources = CAST_SOURCES[target];
  if (sources === undefined) return false;
  return sources === "any" || sources.has(normalizeTypeName(sourceType));
}
