import { describe, expect, it } from "vitest";
import { scrubString, scrubValue } from "@/lib/core/scrub";

describe("log scrubbing", () => {
  it.each([
    ["connect postgres://app_user:s3cr3t-pw@db:5432/sluice failed", "s3cr3t-pw"],
    ["redis://default:hunter2hunter2@cache:6379", "hunter2hunter2"],
    ["token slc_4fT9qPzL0aB7cD2eF5gH8iJ1kL3mN6oP", "slc_4fT9qPzL0aB7cD2eF5gH8iJ1kL3mN6oP"],
    ["Authorization: Bearer abcdefghijklmnop.qrs", "abcdefghijklmnop.qrs"],
    ["GET /x?password=topsecret&x=1", "topsecret"],
  ])("masks the secret in %j", (text, secret) => {
    const scrubbed = scrubString(text);
    expect(scrubbed).not.toContain(secret);
    expect(scrubbed).toContain("[redacted]");
  });

  it("leaves ordinary text alone", () => {
    const text = "GET /api/v1/tables/data.orders 200 in 12 ms (role readonly) https://example.com/docs";
    expect(scrubString(text)).toBe(text);
  });

  it("scrubs nested objects and errors but keeps their shape", () => {
    const error = Object.assign(new Error("failed: postgres://u:pw123456@h/db"), { code: "ECONNREFUSED" });
    const value = scrubValue({ a: ["slc_AAAAAAAAAAAAAAAAAAAA"], b: { c: "ok", n: 3 }, err: error }) as {
      a: string[];
      b: { c: string; n: number };
      err: Error & { code: string };
    };
    expect(value.a[0]).toBe("slc_[redacted]");
    expect(value.b).toEqual({ c: "ok", n: 3 });
    expect(value.err).toBeInstanceOf(Error);
    expect(value.err.message).toBe("failed: postgres://u:[redacted]@h/db");
    expect(value.err.stack).not.toContain("pw123456");
    expect(value.err.code).toBe("ECONNREFUSED");
  });
});
