import { describe, expect, it } from "vitest";
import { openApiDocument } from "@/lib/explore/openapi";

describe("openApiDocument", () => {
  it("describes every data-API operation with schemas generated from zod", () => {
    const doc = openApiDocument("https://sluice.example");
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths).sort()).toEqual([
      "/api/v1/queries",
      "/api/v1/queries/{id}",
      "/api/v1/queries/{id}/results",
      "/api/v1/sql",
      "/api/v1/tables",
      "/api/v1/tables/{table}",
    ]);
    const body = doc.paths["/api/v1/sql"].post.requestBody.content["application/json"].schema as {
      required?: string[];
      properties: Record<string, unknown>;
      additionalProperties?: unknown;
    };
    expect(body.required).toEqual(["sql"]);
    expect(Object.keys(body.properties)).toEqual(["sql", "params", "maxRows"]);
    expect(body.additionalProperties).toBe(false);
    expect(JSON.parse(JSON.stringify(doc))).toEqual(doc);
  });
});
