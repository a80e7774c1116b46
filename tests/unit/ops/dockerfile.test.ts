import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

/**
 * Checks of the image recipe that need no engine (the image itself is built in its own test,
 * where podman is available). `npm ci` in the dependency stage runs our postinstall, if we have
 * one: every file it names must be copied in before it (a missing one fails the image build).
 */
const ROOT = path.resolve(import.meta.dirname, "../../..");
const pkg = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
};

describe("Dockerfile", () => {
  it("copies what a postinstall script needs before npm ci runs it", () => {
    const needed = pkg.scripts.postinstall?.match(/(?:scripts|patches)\/[\w./-]*/g) ?? [];
    const dockerfile = readFileSync(path.join(ROOT, "Dockerfile"), "utf8");
    const beforeInstall = dockerfile.slice(0, dockerfile.indexOf("RUN npm ci"));
    expect(beforeInstall).toContain("COPY package.json package-lock.json");
    const copied = beforeInstall
      .split("\n")
      .filter((line) => line.startsWith("COPY "))
      .flatMap((line) => line.split(/\s+/).slice(1, -1));
    for (const file of needed) expect(copied, `${file} is not copied before npm ci`).toContain(file);
  });

  it("installs the one postgres.js version the pools are tested with", () => {
    // A range would let npm install another version than the one lib/db/pool/driver-check.ts expects.
    expect(pkg.dependencies.postgres).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
