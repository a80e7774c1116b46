import { describe, expect, it } from "vitest";
import { previousPageOffset } from "@/components/explore/grid-query";
import { cellText, initialColumnWidth, rowText } from "@/components/grid/cell-text";

describe("previousPageOffset", () => {
  it("steps back one page inside the rows", () => {
    expect(previousPageOffset(100, 50, 1000)).toBe(50);
    expect(previousPageOffset(30, 50, 1000)).toBe(0);
    expect(previousPageOffset(50, 50, null)).toBe(0);
  });

  it("lands on the last page with rows from a page past the end", () => {
    expect(previousPageOffset(5000, 50, 120)).toBe(100);
    expect(previousPageOffset(150, 50, 150)).toBe(100);
    expect(previousPageOffset(400, 25, 1)).toBe(0);
  });
});

describe("copied text", () => {
  it("copies NULL as empty, JSON as JSON and numbers as written", () => {
    expect(cellText(null)).toBe("");
    expect(cellText({ a: [1, "x"] })).toBe('{"a":[1,"x"]}');
    expect(cellText(12.5)).toBe("12.5");
    expect(cellText("plain")).toBe("plain");
  });

  it("joins a row with tabs, flattening tabs and newlines inside values so the columns stay put", () => {
    expect(rowText([1, "a\tb", "two\nlines", null, true])).toBe("1\ta b\ttwo lines\t\ttrue");
  });

  it("starts columns between 80 and 360 px, wider for text than for ids", () => {
    expect(initialColumnWidth("id", "integer")).toBeGreaterThanOrEqual(80);
    expect(initialColumnWidth("note", "text")).toBeGreaterThan(initialColumnWidth("id", "integer"));
    expect(initialColumnWidth("x".repeat(200), "timestamp with time zone")).toBe(360);
  });
});
