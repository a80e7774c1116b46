// `npm start`: the production server from the standalone build, the way Next users expect it to
// start. Plain node (no tsx in production): it imports only what the build put next to the
// server (scripts/copy-standalone-assets.ts bundles lib/env.ts and lib/env-file.ts there).
//
// 1. The environment file (lib/env-file.ts): SLUICE_ENV_FILE if set, else .env.production in the
//    project root if there is one. Variables already in the environment win.
// 2. The configuration check, before Next starts: a refused configuration stops here with the one
//    message (exit 78), not after Next has printed "✓ Ready".
// 3. The peer-address preload (as `node --import` would load it), then Next's server.js.
import { existsSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const EX_CONFIG = 78;
const root = path.resolve(import.meta.dirname, "..");
const standalone = path.join(root, process.env.NEXT_DIST_DIR || ".next", "standalone");
const bundle = path.join(standalone, "sluice-env.mjs");
if (!existsSync(path.join(standalone, "server.js")) || !existsSync(bundle)) {
  console.error(`[sluice] no production build in ${path.relative(process.cwd(), standalone) || "."}: run \`npm run build\` first`);
  process.exit(1);
}

const { parseEnv, EnvError, refusalMessage, productionEnvFile, loadEnvFile, describeEnvFile, EnvFileError } = await import(
  pathToFileURL(bundle).href
);
try {
  const file = productionEnvFile(root);
  if (file) console.log(describeEnvFile(file, loadEnvFile(file)));
  process.env.NODE_ENV ??= "production";
  parseEnv(process.env);
} catch (error) {
  if (error instanceof EnvFileError) console.error(`[sluice] refusing to start. ${error.message}`);
  else if (error instanceof EnvError) console.error(refusalMessage(error));
  else throw error;
  process.exit(EX_CONFIG);
}

process.chdir(standalone);
await import(pathToFileURL(path.join(standalone, "peer-address-preload.mjs")).href);
await import(pathToFileURL(path.join(standalone, "server.js")).href);
