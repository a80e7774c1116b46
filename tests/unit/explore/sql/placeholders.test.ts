import { describe, expect, it } from "vitest";
import { parameterTypeFor, substitutePlaceholders } from "@/lib/explore/sql";

describe("substitutePlaceholders", () => {
  it("numbers distinct names and maps positions in the result back to the SQL as written", () => {
    const sql = "select * from t\n where a >= {{since}} and b = {{since}} and c = nope limit {{n}}";
    const out = substitutePlaceholders(sql, (_name, n) => `$${n}`);
    expect(out.text).toBe("select * from t\n where a >= $1 and b = $1 and c = nope limit $2");
    expect(out.names).toEqual(["since", "n"]);
    const inText = out.text.indexOf("nope") + 1;
    expect(out.sourcePosition(inText)).toBe(sql.indexOf("nope") + 1);
    // Before any placeholder nothing moves; inside a replacement it is the placeholder's start.
    expect(out.sourcePosition(3)).toBe(3);
    expect(out.sourcePosition(out.text.indexOf("$2") + 2)).toBe(sql.indexOf("{{n}}") + 1);
  });

  it("leaves SQL without placeholders as it is", () => {
    const out = substitutePlaceholders("select '{{x}}'", () => "never");
    expect(out).toMatchObject({ text: "select '{{x}}'", names: [] });
    expect(out.sourcePosition(8)).toBe(8);
  });
});

describe("parameterTypeFor", () => {
  it("maps what Postgres infers to the editor's types, text when nothing fits better", () => {
    expect(parameterTypeFor({ oid: 1184, isArray: false })).toBe("timestamp");
    expect(parameterTypeFor({ oid: 20, isArray: false })).toBe("integer");
    expect(parameterTypeFor({ oid: 1700, isArray: false })).toBe("number");
    expect(parameterTypeFor({ oid: 1082, isArray: false })).toBe("date");
    expect(parameterTypeFor({ oid: 16, isArray: false })).toBe("boolean");
    expect(parameterTypeFor({ oid: 1016, isArray: true })).toBe("list");
    expect(parameterTypeFor({ oid: 2950, isArray: false })).toBe("text");
  });
});
