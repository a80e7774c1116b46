import { describe, expect, it } from "vitest";
import { resolveProfiledRef } from "@/lib/explore/catalog";
import { ExploreError } from "@/lib/explore/errors";

const schemas = ["pgrst", "data"];

describe("schema profiles", () => {
  it("reads a plain name in the default (first) schema, or in the one Accept-Profile names", () => {
    expect(resolveProfiledRef("items", null, schemas)).toEqual({ ref: { schema: "pgrst", name: "items" }, profile: "pgrst" });
    expect(resolveProfiledRef("orders", "data", schemas)).toEqual({ ref: { schema: "data", name: "orders" }, profile: "data" });
  });

  it("keeps schema.table working, alone or with the same profile", () => {
    expect(resolveProfiledRef("data.orders", null, schemas).ref).toEqual({ schema: "data", name: "orders" });
    expect(resolveProfiledRef("data.orders", "data", schemas).ref).toEqual({ schema: "data", name: "orders" });
  });

  it("reads a dotted name whose prefix is not an exposed schema as a name in the profile", () => {
    expect(resolveProfiledRef("app.users", null, schemas).ref).toEqual({ schema: "pgrst", name: "app.users" });
    expect(resolveProfiledRef("data.orders", "pgrst", schemas).ref).toEqual({ schema: "pgrst", name: "data.orders" });
  });

  it("refuses a profile outside the exposed schemas with PostgREST's 406", () => {
    let error: unknown;
    try {
      resolveProfiledRef("users", "app", schemas);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ExploreError);
    expect((error as ExploreError).status).toBe(406);
    expect((error as ExploreError).details).toMatchObject({ reason: "unknown_profile", pgrstCode: "PGRST106" });
  });
});
