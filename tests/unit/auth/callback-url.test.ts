import { describe, expect, it } from "vitest";
import { safeCallbackUrl } from "@/lib/auth/callback-url";

describe("safeCallbackUrl", () => {
  it("keeps paths on this site", () => {
    expect(safeCallbackUrl("/settings/tokens")).toBe("/settings/tokens");
    expect(safeCallbackUrl("/explore?table=data.orders#x")).toBe("/explore?table=data.orders#x");
  });

  it("refuses other sites, protocol-relative and backslash tricks, and loops back to sign-in", () => {
    for (const bad of [
      "https://evil.example/",
      "//evil.example",
      "/\\evil.example",
      "javascript:alert(1)",
      "settings",
      "/sign-in?callbackUrl=/x",
      "/\nx",
      42,
      undefined,
      ["/a"],
    ]) {
      expect(safeCallbackUrl(bad)).toBe("/");
    }
  });
});
