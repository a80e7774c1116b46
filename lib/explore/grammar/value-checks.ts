/**
 * Cheap syntax checks for request values, mirroring the input functions of Postgres' builtin
 * types closely enough that a value passing here will not make Postgres raise
 * invalid_text_representation / out-of-range errors. Each returns null when the value is fine,
 * else a phrase describing what was expected (used in the 400 message).
 */
export type ValueCheck = (value: string) => string | null;

// Unambiguous alternatives (no `\d+\.?\d*`), so a long digit string cannot backtrack quadratically.
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE]([+-]?\d+))?$/;

export function intCheck(bits: 16 | 32 | 64): ValueCheck {
  const max = (1n << BigInt(bits - 1)) - 1n;
  const min = -max - 1n;
  return (value) => {
    const expected = `an integer between ${min} and ${max}`;
    if (!/^[+-]?\d{1,30}$/.test(value)) return expected;
    const n = BigInt(value);
    return n < min || n > max ? expected : null;
  };
}

/** float4 and float8: Postgres raises on overflow and on underflow to zero. */
export function floatCheck(bits: 32 | 64): ValueCheck {
  const max = bits === 32 ? 3.4028234e38 : Number.MAX_VALUE;
  const tiny = bits === 32 ? 1.4e-45 : Number.MIN_VALUE;
  return (value) => {
    const expected = `a ${bits === 32 ? "real" : "double precision"} number`;
    if (/^(nan|[+-]?inf(inity)?)$/i.test(value)) return null;
    if (!DECIMAL.test(value)) return expected;
    const n = Math.abs(Number(value));
    if (n > max) return `${expected} (out of range)`;
    const mantissaIsZero = !/[1-9]/.test(value.replace(/[eE].*$/, ""));
    if (n < tiny && !mantissaIsZero) return `${expected} (out of range)`;
    return null;
  };
}

/** numeric: exponent bounded far below Postgres' own limits, so huge inputs fail here. */
export const numericCheck: ValueCheck = (value) => {
  if (/^(nan|[+-]?infinity)$/i.test(value)) return null;
  const match = DECIMAL.exec(value);
  if (!match || value.length > 1000) return "a decimal number";
  return Math.abs(Number(match[1] ?? "0")) > 1000 ? "a decimal number (exponent out of range)" : null;
};

export const boolCheck: ValueCheck = (value) => (/^(t|true|y|yes|on|1|f|false|n|no|off|0)$/i.test(value) ? null : "true or false");

function isValidDate(y: number, m: number, d: number): boolean {
  if (y < 1 || m < 1 || m > 12 || d < 1) return false;
  const days = [31, y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  return d <= (days[m - 1] as number);
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})/;
const TIME = /^(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?/;
const ZONE = /^(?:Z|[+-](\d{2})(?::?(\d{2}))?)$/i;
const INFINITY = /^[+-]?infinity$/i;

function checkTime(text: string, zone: "none" | "optional"): boolean {
  const match = TIME.exec(text);
  if (!match) return false;
  const [, hh, mm, ss] = match;
  if (Number(hh) > 23 || Number(mm) > 59 || Number(ss ?? "0") > 59) return false;
  const rest = text.slice(match[0].length);
  if (rest === "") return true;
  if (zone === "none") return false;
  const z = ZONE.exec(rest);
  return !!z && Number(z[1] ?? "0") <= 15 && Number(z[2] ?? "0") <= 59;
}

function dateAt(text: string): number | null {
  const match = DATE.exec(text);
  if (!match) return null;
  const ok = isValidDate(Number(match[1]), Number(match[2]), Number(match[3]));
  return ok ? match[0].length : null;
}

export const dateCheck: ValueCheck = (value) => (INFINITY.test(value) || dateAt(value) === value.length ? null : "a date as YYYY-MM-DD");

/** ISO 8601 as Postgres reads it: date, optional `T`/space time, optional zone. */
export const timestampCheck: ValueCheck = (value) => {
  const expected = "a timestamp as YYYY-MM-DD[THH:MM[:SS[.ffffff]]][Z|±HH:MM] (write + as %2B in URLs)";
  if (INFINITY.test(value)) return null;
  const end = dateAt(value);
  if (end === null) return expected;
  if (end === value.length) return null;
  const sep = value[end];
  if (sep !== "T" && sep !== "t" && sep !== " ") return expected;
  return checkTime(value.slice(end + 1), "optional") ? null : expected;
};

export function timeCheck(withZone: boolean): ValueCheck {
  return (value) => (checkTime(value, withZone ? "optional" : "none") ? null : "a time as HH:MM[:SS[.ffffff]]");
}

export const uuidCheck: ValueCheck = (value) => {
  const bare = value.startsWith("{") && value.endsWith("}") ? value.slice(1, -1) : value;
  const ok = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(bare) || /^[0-9a-f]{32}$/i.test(bare);
  return ok ? null : "a UUID";
};

/** Compared as jsonb, which also rejects the \u0000 escape. */
export const jsonCheck: ValueCheck = (value) => {
  try {
    JSON.parse(value);
  } catch {
    return "a JSON document";
  }
  return /\\u0000/i.test(value) ? "a JSON document without \\u0000" : null;
};
