import { cpSync, existsSync } from "node:fs";
import path from "node:path";
// esbuild comes with tsx (and the Dockerfile bundles the operator scripts with it too).
import { build } from "esbuild";

/**
 * `next build` leaves static assets out of the standalone folder; the server there needs them.
 * scripts/start.mjs (npm start) also needs the configuration check as plain JavaScript, to refuse
 * a bad environment before Next starts, and the env-file loader: lib/env.ts and lib/env-file.ts
 * bundled on their own (zod and dotenv inside).
 */
const root = path.resolve(import.meta.dirname, "..");
const distDir = path.join(root, process.env.NEXT_DIST_DIR || ".next");
const standalone = path.join(distDir, "standalone");
if (!existsSync(standalone)) throw new Error("no .next/standalone: run next build first");
cpSync(path.join(distDir, "static"), path.join(standalone, path.basename(distDir), "static"), { recursive: true });
cpSync(path.join(root, "public"), path.join(standalone, "public"), { recursive: true });
cpSync(path.join(root, "scripts", "peer-address-preload.mjs"), path.join(standalone, "peer-address-preload.mjs"));
await build({
  stdin: { contents: 'export * from "./lib/env.ts";\nexport * from "./lib/env-file.ts";\n', resolveDir: root, loader: "ts" },
  outfile: path.join(standalone, "sluice-env.mjs"),
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  // dotenv is CommonJS: its require("fs") needs a require in the ESM bundle.
  banner: { js: 'import { createRequire as __sluiceRequire } from "node:module"; const require = __sluiceRequire(import.meta.url);' },
  logLevel: "warning",
});
