import { describe, expect, it } from "vitest";
import { ApiError, ERROR_STATUS, errorTitle } from "@/lib/core/errors";
import { toApiError } from "@/lib/server/6-to-api-error";
import { ExploreError } from "@/lib/explore/errors";

describe("ApiError across server bundles", () => {
  it("recognises an ApiError made by another copy of the class (pools live on globalThis)", () => {
    class ForeignApiError extends Error {
      code = "pool_saturated";
      status = 503;
      constructor() {
        super("busy");
        Object.defineProperty(this, Symbol.for("sluice.api-error"), { value: true });
      }
    }
    const foreign = new ForeignApiError();
    expect(foreign instanceof ApiError).toBe(true);
    expect(toApiError(foreign)).toBe(foreign);
  });

  it("does not mistake a plain error for one, and maps it to a bare 500", () => {
    const plain = Object.assign(new Error("secret internals"), { name: "ApiError", code: "pool_saturated" });
    expect(plain instanceof ApiError).toBe(false);
    const mapped = toApiError(plain);
    expect(mapped.status).toBe(500);
    expect(mapped.message).not.toContain("secret");
  });

  it("keeps ordinary instanceof for subclasses", () => {
    const plainApi = new ApiError("bad_request", "x");
    expect(plainApi instanceof ExploreError).toBe(false);
    expect(plainApi instanceof ApiError).toBe(true);
  });
});

describe("errorTitle", () => {
  it("says an error in words, sharper by reason, never the internal code", () => {
    expect(errorTitle({ code: "unprocessable", details: { reason: "too_large" } })).toBe("Row too large");
    expect(errorTitle({ code: "bad_request", details: { reason: "syntax_error", position: 1 } })).toBe("Syntax error");
    expect(errorTitle({ code: "unprocessable" })).toBe("Could not be completed");
    expect(errorTitle({ code: "bad_request", details: { reason: "unknown_column" } })).toBe("Unknown column");
    expect(errorTitle({ code: "network" })).toBe("Cannot reach the server");
    expect(errorTitle({ code: "http_503", status: 503 })).toBe("Temporarily unavailable");
    expect(errorTitle({ code: "http_418", status: 418 })).toBe("Something went wrong");
    expect(errorTitle({ code: "bad_request", details: { reason: "a_reason_nobody_named" } })).toBe("Not accepted");
    for (const code of Object.keys(ERROR_STATUS)) {
      const title = errorTitle({ code });
      expect(title, code).not.toMatch(/_/);
      expect(title, code).toMatch(/^[A-Z]/);
    }
  });
});
