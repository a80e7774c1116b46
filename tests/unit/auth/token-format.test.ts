import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  base62,
  generateTokenText,
  hashToken,
  isTokenText,
  MAX_TOKEN_LIFETIME_MS,
  parseExpiry,
  tokenHint,
  tokenIdFromHash,
} from "@/lib/auth/token-format";

describe("API token text", () => {
  it("is slc_ + 43 base62 characters, different every time", () => {
    const tokens = new Set(Array.from({ length: 200 }, generateTokenText));
    expect(tokens.size).toBe(200);
    for (const token of tokens) {
      expect(token).toMatch(/^slc_[0-9A-Za-z]{43}$/);
      expect(isTokenText(token)).toBe(true);
    }
  });

  it("base62 keeps all 256 bits in a fixed width (no two inputs collide)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ minLength: 32, maxLength: 32 }), (a, b) => {
        const ea = base62(a, 43);
        const eb = base62(b, 43);
        expect(ea).toHaveLength(43);
        expect(ea === eb).toBe(Buffer.from(a).equals(Buffer.from(b)));
      }),
    );
    expect(base62(new Uint8Array(32), 43)).toBe("0".repeat(43));
    expect(base62(new Uint8Array(32).fill(255), 43)).toHaveLength(43);
  });

  it("rejects anything that is not exactly a token", () => {
    const good = generateTokenText();
    for (const bad of ["", "slc_", good.slice(0, -1), `${good}x`, good.replace("slc_", "SLC_"), `${good.slice(0, -1)}-`, ` ${good}`]) {
      expect(isTokenText(bad)).toBe(false);
    }
  });

  it("stores a SHA-256; the id is its first 16 hex digits; the hint shows only the last 4 characters", () => {
    const token = generateTokenText();
    const hash = hashToken(token);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(tokenIdFromHash(hash)).toBe(hash.slice(0, 16));
    expect(tokenHint(token)).toBe(`slc_…${token.slice(-4)}`);
  });
});

describe("parseExpiry", () => {
  it("reads minutes, hours, days, weeks and years", () => {
    expect(parseExpiry("90m")).toBe(90 * 60_000);
    expect(parseExpiry("12h")).toBe(12 * 3_600_000);
    expect(parseExpiry("30d")).toBe(30 * 86_400_000);
    expect(parseExpiry("2w")).toBe(14 * 86_400_000);
    expect(parseExpiry("1y")).toBe(365 * 86_400_000);
    expect(parseExpiry(" 7D ")).toBe(7 * 86_400_000);
  });

  it("never means no expiry", () => {
    expect(parseExpiry("never")).toBeNull();
  });

  it("refuses nonsense, zero and more than a year", () => {
    for (const bad of ["", "30", "d", "-1d", "1.5d", "0d", "367d", "2y", "30 days"]) {
      expect(() => parseExpiry(bad), bad).toThrow(RangeError);
    }
    expect(parseExpiry("366d")).toBe(MAX_TOKEN_LIFETIME_MS);
  });
});
