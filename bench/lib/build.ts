import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "../..");
// `next build` adds `<distDir>/types/**/*.ts` to tsconfig.json's include when the
// build folder is not `.next`; a benchmark must not leave the tree changed.
const KEPT_FILES = ["tsconfig.json"];

/** `npm run build` into `distDir` with extra env, leaving tracked files as they were. */
export function buildProductionServer(distDir: string, extraEnv: Record<string, string> = {}): void {
  const kept = KEPT_FILES.map((file) => ({ file: path.join(ROOT, file), text: readFileSync(path.join(ROOT, file), "utf8") }));
  try {
    const build = spawnSync("npm", ["run", "build"], {
      cwd: ROOT,
      stdio: ["ignore", "ignore", "inherit"],
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", NEXT_DIST_DIR: distDir, ...extraEnv },
    });
    if (build.status !== 0) throw new Error("the production build failed");
  } finally {
    for (const { file, text } of kept) if (readFileSync(file, "utf8") !== text) writeFileSync(file, text);
  }
}
