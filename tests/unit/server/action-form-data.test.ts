import { describe, expect, it } from "vitest";
import { z } from "zod";
import { formArray, formDataToObject } from "@/lib/server/7-action";

describe("server action form parsing", () => {
  it("turns repeated fields into arrays and drops React's internal fields", () => {
    const form = new FormData();
    form.append("name", "nightly");
    form.append("scopes", "tables:read");
    form.append("scopes", "sql:run");
    form.append("$ACTION_ID_abc", "");
    expect(formDataToObject(form)).toEqual({ name: "nightly", scopes: ["tables:read", "sql:run"] });
  });

  it("formArray accepts zero, one or many values", () => {
    const schema = z.object({ scopes: formArray(z.enum(["a", "b"])) });
    expect(schema.parse({}).scopes).toEqual([]);
    expect(schema.parse({ scopes: "a" }).scopes).toEqual(["a"]);
    expect(schema.parse({ scopes: ["a", "b"] }).scopes).toEqual(["a", "b"]);
    expect(schema.safeParse({ scopes: ["a", "c"] }).success).toBe(false);
  });
});
