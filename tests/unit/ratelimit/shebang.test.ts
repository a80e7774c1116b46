import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { roundPreviousWindowUp, sha1, stripUnsupportedShebang } from "@/lib/ratelimit/ioredis-adapter";

describe("stripUnsupportedShebang", () => {
  it("drops the Upstash-only shebang, keeping line numbers", () => {
    const script = "#!lua flags=allow-key-locking\n  local key = KEYS[1]\n  return 1\n";
    const stripped = stripUnsupportedShebang(script);
    expect(stripped).toBe("\n  local key = KEYS[1]\n  return 1\n");
    expect(stripped.split("\n")).toHaveLength(script.split("\n").length);
  });

  it("keeps flags Redis knows", () => {
    expect(stripUnsupportedShebang("#!lua flags=no-writes,allow-key-locking\nreturn 1")).toBe("#!lua flags=no-writes\nreturn 1");
    expect(stripUnsupportedShebang("#!lua flags=allow-key-locking,allow-oom name=x\nreturn 1")).toBe("#!lua flags=allow-oom name=x\nreturn 1");
  });

  it("leaves scripts without a shebang, or with a supported one, untouched", () => {
    for (const script of ["return 1", "\n  local x = 1\n", "#!lua\nreturn 1", "#!lua flags=no-writes\nreturn 1"]) {
      expect(stripUnsupportedShebang(script)).toBe(script);
    }
  });

  it("handles a shebang-only script", () => {
    expect(stripUnsupportedShebang("#!lua flags=allow-key-locking")).toBe("");
  });

  it("changes the SHA, which is why the adapter maps original → stripped", () => {
    const script = "#!lua flags=allow-key-locking\nreturn 1";
    expect(sha1(stripUnsupportedShebang(script))).not.toBe(sha1(script));
    expect(sha1("return 1")).toBe("e0e1f9fabfc9d4800c877a703b823ac0578ff8db");
  });
});

describe("roundPreviousWindowUp", () => {
  const ROUNDED_DOWN = /math\.floor\([^\n]*percentageInCurrent/;

  it("counts the previous window's weighted requests rounded up", () => {
    const script =
      "local p = ( now % window ) / window\n  requestsInPreviousWindow = math.floor(( 1 - percentageInCurrent ) * requestsInPreviousWindow)\n";
    expect(roundPreviousWindowUp(script)).toBe(
      "local p = ( now % window ) / window\n  requestsInPreviousWindow = math.ceil((1 - percentageInCurrent) * requestsInPreviousWindow)\n",
    );
  });

  it("leaves scripts without a sliding window alone", () => {
    expect(roundPreviousWindowUp("local n = math.floor((now - refilledAt) / interval)")).toBe("local n = math.floor((now - refilledAt) / interval)");
  });

  it("refuses a sliding-window script it does not recognise, rather than run it with the old edge", () => {
    expect(() => roundPreviousWindowUp("x = math.floor(percentageInCurrent * 2 * requestsInPreviousWindow)")).toThrow(/window-edge rounding/);
  });

  it("rewrites every sliding-window script of the installed @upstash/ratelimit", () => {
    const source = readFileSync(createRequire(import.meta.url).resolve("@upstash/ratelimit"), "utf8");
    const scripts = [...source.matchAll(/`(#!lua[\s\S]*?)`/g)].map((m) => m[1]!).filter((script) => script.includes("percentageInCurrent"));
    // The single-region limit and remaining scripts (the ones we run) round down today.
    expect(scripts.filter((script) => ROUNDED_DOWN.test(script)).length).toBeGreaterThanOrEqual(2);
    for (const script of scripts) expect(roundPreviousWindowUp(script)).not.toMatch(ROUNDED_DOWN);
  });
});
