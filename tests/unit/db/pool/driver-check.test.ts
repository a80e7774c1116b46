import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { assertSupportedDriver, installedDriverVersion, PINNED_DRIVER_VERSION } from "@/lib/db/pool/driver-check";

const ROOT = path.resolve(import.meta.dirname, "../../../..");

describe("the driver check", () => {
  it("finds the installed postgres.js, which is the pinned one, and passes on it", () => {
    expect(installedDriverVersion(ROOT)).toBe(PINNED_DRIVER_VERSION);
    expect(() => assertSupportedDriver(PINNED_DRIVER_VERSION)).not.toThrow();
  });

  it("refuses another version with a message that says what to do", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "sluice-driver-"));
    mkdirSync(path.join(dir, "node_modules", "postgres"), { recursive: true });
    writeFileSync(path.join(dir, "node_modules", "postgres", "package.json"), JSON.stringify({ name: "postgres", version: "3.5.0" }));
    const found = installedDriverVersion(path.join(dir, "deeper", "still"));
    expect(found).toBe("3.5.0");
    expect(() => assertSupportedDriver(found)).toThrow(/postgres\.js 3\.5\.0 is installed.*3\.4\.9 exactly: run npm ci/);
  });
});
