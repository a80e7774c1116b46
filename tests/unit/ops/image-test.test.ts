import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { baseImages, releaseCommand } from "@/scripts/image-test/recipe";

/**
 * The image test (npm run test:image, issue 18) reads the committed Dockerfile and fly.toml
 * rather than repeating them, and is too slow for `npm test`: CI runs it on its own.
 */
const ROOT = path.resolve(import.meta.dirname, "../../..");
const pkg = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> };

describe("the image test's inputs", () => {
  it("names the base image the Dockerfile's FROM resolves to, with ARG defaults applied", () => {
    expect(baseImages(path.join(ROOT, "Dockerfile"))).toEqual(["docker.io/library/node:20-bookworm-slim"]);
  });

  it("reads fly's release command as argv", () => {
    expect(releaseCommand(path.join(ROOT, "fly.toml"))).toEqual(["node", "ops/db-migrate.mjs"]);
  });

  it("runs in CI after npm test, and not inside it", () => {
    expect(pkg.scripts["test:image"]).toContain("scripts/test-image.ts");
    expect(readFileSync(path.join(ROOT, "scripts/test.ts"), "utf8")).not.toContain("test-image");
    const commands = readFileSync(path.join(ROOT, ".ci/run"), "utf8")
      .split("\n")
      .filter((line) => !line.trimStart().startsWith("#"));
    const imageTest = commands.findIndex((line) => line.includes("npm run test:image"));
    expect(imageTest).toBeGreaterThan(commands.indexOf("npm test"));
  });
});
