import { describe, expect, it } from "vitest";
import { isMetricsToken } from "@/lib/security/metrics-token";

const SECRET = "scraper-secret-0123456789";

describe("isMetricsToken", () => {
  it("accepts the secret as a Bearer credential, the scheme in any case", () => {
    expect(isMetricsToken(`Bearer ${SECRET}`, SECRET)).toBe(true);
    expect(isMetricsToken(`bearer ${SECRET}`, SECRET)).toBe(true);
  });

  it("refuses anything else, and everything when no secret is configured", () => {
    expect(isMetricsToken(`Bearer ${SECRET}x`, SECRET)).toBe(false);
    expect(isMetricsToken(`Basic ${SECRET}`, SECRET)).toBe(false);
    expect(isMetricsToken(null, SECRET)).toBe(false);
    expect(isMetricsToken(`Bearer ${SECRET}`, undefined)).toBe(false);
  });
});
