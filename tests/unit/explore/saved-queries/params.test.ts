import { describe, expect, it } from "vitest";
import { renderSavedQuery } from "@/lib/explore/saved-queries";
import { lineAndColumn } from "@/lib/explore/saved-queries";

describe("renderSavedQuery: required means required", () => {
  const parameters = [
    { name: "since", type: "timestamp" as const, default: "2024-01-01 00:00" },
    { name: "n", type: "integer" as const, required: false, default: "10" },
  ];

  it("refuses a required parameter sent empty instead of running its default", () => {
    expect(() => renderSavedQuery("select {{since}}, {{n}}", parameters, { since: "" })).toThrow(
      /since is required \(an empty value does not fall back to its default\)/,
    );
  });

  it("control: left out, the default applies; an optional one sent empty takes its default too", () => {
    expect(renderSavedQuery("select {{since}}, {{n}}", parameters, {}).params).toEqual(["2024-01-01 00:00", "10"]);
    expect(renderSavedQuery("select {{since}}, {{n}}", parameters, { n: "" }).params).toEqual(["2024-01-01 00:00", "10"]);
  });

  it("casts the new types and checks their values", () => {
    const typed = [
      { name: "at", type: "timestamp" as const },
      { name: "n", type: "integer" as const },
      { name: "flag", type: "boolean" as const },
    ];
    const rendered = renderSavedQuery("select {{at}}, {{n}}, {{flag}}", typed, { at: "2024-03-01T10:30:00+02:00", n: "25", flag: "TRUE" });
    expect(rendered.text).toBe("select ($1::text::timestamptz), ($2::text::bigint), ($3::text::boolean)");
    expect(rendered.params).toEqual(["2024-03-01T10:30:00+02:00", "25", "true"]);
    expect(() => renderSavedQuery("select 1", typed, { at: "2024-02-30 10:00", n: "1", flag: "t" })).toThrow(/at must be a date and time/);
    expect(() => renderSavedQuery("select 1", typed, { at: "2024-02-01 25:00", n: "1", flag: "t" })).toThrow(/at must be a date and time/);
    expect(() => renderSavedQuery("select 1", typed, { at: "2024-02-01", n: "1.5", flag: "t" })).toThrow(/n must be a whole number/);
    expect(() => renderSavedQuery("select 1", typed, { at: "2024-02-01", n: "99999999999999999999", flag: "t" })).toThrow(/n must be a whole number/);
    expect(() => renderSavedQuery("select 1", typed, { at: "2024-02-01", n: "1", flag: "maybe" })).toThrow(/flag must be true or false/);
  });
});

describe("lineAndColumn", () => {
  it("counts lines and columns from 1", () => {
    expect(lineAndColumn("select\n  nope", 10)).toEqual({ line: 2, column: 3 });
    expect(lineAndColumn("select nope", 8)).toEqual({ line: 1, column: 8 });
  });
});
