import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

/**
 * No Docker engine runs in CI, so the image build is checked where it can be: `npm ci` in the
 * dependency stage runs our postinstall, and every file that script needs must be copied in
 * before it (a missing one fails the image build).
 */
const ROOT = path.resolve(import.meta.dirname, "../../..");

describe("Dockerfile", () => {
  it("copies what the postinstall script needs before npm ci runs it", () => {
    const postinstall = (JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts
      .postinstall;
    const needed = postinstall?.match(/scripts\/[\w./-]+/g) ?? [];
    expect(needed.length).toBeGreaterThan(0);
    const dockerfile = readFileSync(path.join(ROOT, "Dockerfile"), "utf8");
    const beforeInstall = dockerfile.slice(0, dockerfile.indexOf("RUN npm ci"));
    expect(beforeInstall.length).toBeGreaterThan(0);
    const copied = beforeInstall
      .split("\n")
      .filter((line) => line.startsWith("COPY "))
      .flatMap((line) => line.split(/\s+/).slice(1, -1));
    for (const file of needed) expect(copied, `${file} is not copied before npm ci`).toContain(file);
  });
});
