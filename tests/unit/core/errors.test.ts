import { describe, expect, it } from "vitest";
import { ApiError } from "@/lib/core/errors";
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
