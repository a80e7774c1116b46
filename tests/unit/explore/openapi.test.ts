import { describe, expect, it } from "vitest";
import { openApiDocument } from "@/lib/explore/openapi";
import { catalog } from "@/tests/unit/explore/catalog-fixture";

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

  it("gives every operation a unique operationId and documents the singular media type", () => {
    const doc = openApiDocument("https://sluice.example", catalog);
    const operations = Object.values(doc.paths).flatMap((path) => Object.values(path as Record<string, { operationId?: string }>));
    const ids = operations.map((op) => op.operationId);
    expect(ids.every((id) => typeof id === "string" && /^[A-Za-z0-9_]+$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    const read = doc.paths["/api/v1/tables/{table}"].get.responses["200"].content as Record<string, unknown>;
    expect(Object.keys(read)).toContain("application/vnd.pgrst.object+json");
  });

  it("describes each table's rows from the catalog's column types, only when given the catalog", () => {
    expect(Object.keys(openApiDocument("https://sluice.example").components.schemas)).toEqual(["Error"]);
    const doc = openApiDocument("https://sluice.example", catalog);
    const people = (doc.components.schemas as Record<string, unknown>)["data.people"] as {
      properties: Record<string, { type?: unknown; items?: unknown; format?: string }>;
      required: string[];
    };
    expect(people.properties.id!.type).toBe("integer");
    expect(people.properties.big!.type).toEqual(["integer", "null"]);
    expect(people.properties.score!.type).toEqual(["number", "null"]);
    expect(people.properties.created_at).toMatchObject({ type: ["string", "null"], format: "date-time" });
    expect(people.properties.tags).toMatchObject({ type: ["array", "null"], items: { type: "string" } });
    expect(people.properties.meta!.type).toBeUndefined();
    expect(people.required).toEqual(["id"]);
    const path = (
      doc.paths as unknown as Record<
        string,
        { get: { operationId: string; responses: Record<string, { content?: Record<string, { schema: unknown }> }> } }
      >
    )["/api/v1/tables/data.people"]!;
    expect(path.get.operationId).toBe("read_data_people");
    expect(path.get.responses["200"]!.content!["application/vnd.pgrst.object+json"]!.schema).toEqual({ $ref: "#/components/schemas/data.people" });
  });
});
