import { describe, expect, it } from "vitest";
import { bearerToken, headerValue } from "@/lib/core/headers";

describe("bearerToken", () => {
  it.each([
    ["Bearer slc_abc", "slc_abc"],
    ["bearer   slc_abc  ", "slc_abc"],
    ["Basic dXNlcjpwYXNz", null],
    ["Bearer", null],
    ["Bearer a b", null],
    ["BEARER slc_abc", "slc_abc"],
    ["Bearer\tslc_abc", null],
    [null, null],
    [undefined, null],
  ])("%s → %s", (header, expected) => {
    expect(bearerToken(header)).toBe(expected);
  });
});

describe("headerValue", () => {
  it("reads Fetch headers", () => {
    expect(headerValue(new Headers({ "User-Agent": "curl" }), "user-agent")).toBe("curl");
    expect(headerValue(new Headers(), "user-agent")).toBeUndefined();
  });

  it("reads a plain record case-insensitively and joins repeated values", () => {
    expect(headerValue({ "X-Forwarded-For": "1.2.3.4" }, "x-forwarded-for")).toBe("1.2.3.4");
    expect(headerValue({ "x-forwarded-for": ["1.2.3.4", "5.6.7.8"] }, "x-forwarded-for")).toBe("1.2.3.4,5.6.7.8");
    expect(headerValue({ other: "x" }, "x-forwarded-for")).toBeUndefined();
  });
});
