import { describe, expect, it } from "vitest";
import { sha1, stripUnsupportedShebang } from "@/lib/ratelimit/ioredis-adapter";

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
