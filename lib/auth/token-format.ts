import "server-only";
import { createHash, randomBytes } from "node:crypto";

/**
 * API token text: `slc_` + 32 random bytes in base62 (always 43 characters),
 * so a token is recognisable by secret scanners and copy-paste safe.
 * Only its SHA-256 is ever stored; the id shown in lists and logs is the
 * first 16 hex digits of that hash — useless to an attacker, stable, and
 * enough to find a user's token among their others.
 */
export const TOKEN_PREFIX = "slc_";
const RANDOM_BYTES = 32;
const BODY_LENGTH = 43;
const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const TOKEN_PATTERN = new RegExp(`^${TOKEN_PREFIX}[0-9A-Za-z]{${BODY_LENGTH}}$`);
export const TOKEN_ID_PATTERN = /^[0-9a-f]{16}$/;

export function base62(bytes: Uint8Array, length: number): string {
  let value = BigInt(`0x${Buffer.from(bytes).toString("hex") || "0"}`);
  let out = "";
  while (value > 0n) {
    out = ALPHABET[Number(value % 62n)] + out;
    value /= 62n;
  }
  return out.padStart(length, "0");
}

export function generateTokenText(): string {
  return TOKEN_PREFIX + base62(randomBytes(RANDOM_BYTES), BODY_LENGTH);
}

export function isTokenText(value: string): boolean {
  return TOKEN_PATTERN.test(value);
}

export function hashToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

export function tokenIdFromHash(sha256: string): string {
  return sha256.slice(0, 16);
}

/** `slc_…Ab3x`: enough to tell tokens apart in a list, nothing to guess with. */
export function tokenHint(token: string): string {
  return `${TOKEN_PREFIX}…${token.slice(-4)}`;
}

/** What the settings page offers; the CLI takes any parseExpiry() text. */
export const TOKEN_EXPIRY_CHOICES = ["7d", "30d", "90d", "1y", "never"] as const;

const UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000, y: 365 * 86_400_000 };
export const MAX_TOKEN_LIFETIME_MS = 366 * 86_400_000;

/**
 * "30d", "12h", "2w", "1y", or "never" → milliseconds (null = no expiry).
 * Throws a RangeError with a message fit for a user.
 */
export function parseExpiry(text: string): number | null {
  const value = text.trim().toLowerCase();
  if (value === "never" || value === "none") return null;
  const match = /^(\d{1,4})\s*([mhdwy])$/.exec(value);
  if (!match) throw new RangeError(`expiry "${text}" is not like 30d, 12h, 2w, 1y or never`);
  const ms = Number(match[1]) * UNITS[match[2]!]!;
  if (ms <= 0) throw new RangeError("expiry must be in the future");
  if (ms > MAX_TOKEN_LIFETIME_MS) throw new RangeError("expiry can be at most 366 days; use never for a token that does not expire");
  return ms;
}
