import { describe, expect, it } from "vitest";
import { safeCallbackUrl } from "@/lib/auth/callback-url";

describe("safeCallbackUrl", () => {
  it("keeps paths on this site", () => {
    expect(safeCallbackUrl("/settings/tokens")).toBe("/settings/tokens");
    expect(safeCallbackUrl("/explore?table=data.orders#x")).toBe("/explore?table=data.orders#x");
  });

  it("percent-encodes what a Location header cannot carry", () => {
    expect(safeCallbackUrl("/explore/ü✓?q=a b")).toBe("/explore/%C3%BC%E2%9C%93?q=a%20b");
    expect(safeCallbackUrl("/explore/%C3%BC")).toBe("/explore/%C3%BC");
    expect(safeCallbackUrl("/x\uD800")).toBe("/");
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
