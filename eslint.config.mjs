import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

/**
 * The layers of lib/ (docs/architecture.md), enforced: an import across a
 * zone's wall fails `npm run lint` (tests/unit/lint/zones.test.ts proves it).
 * Paths are from the repository root; `from` is what `target` may not import.
 */
const FEATURES = ["./lib/auth", "./lib/explore", "./lib/fleet", "./lib/metrics", "./lib/metrics.ts", "./lib/ratelimit", "./lib/security"];
const CORE_ZONE = {
  target: "./lib/core",
  from: "./",
  except: ["./lib/core", "./lib/env.ts", "./node_modules"],
  message: "lib/core is the ground floor: it imports only lib/env.ts and npm packages.",
};
const STORAGE_ZONE = {
  target: ["./lib/db", "./lib/redis"],
  from: [...FEATURES, "./lib/server"],
  message: "lib/db and lib/redis are storage: they import lib/core and lib/env.ts, never a feature or lib/server.",
};
const FEATURE_ZONE = {
  target: FEATURES,
  from: "./lib/server",
  message: "Features do not import the request pipeline (lib/server); lib/server calls them.",
};
const zones = (...list) => ["error", { zones: list }];

const config = [
  ...nextVitals,
  ...nextTs,
  { ignores: [".next/**", ".next-*/**", ".data/**", "node_modules/**", "next-env.d.ts", "db/migrations/**", "bench/results/**"] },
  { files: ["**/*.ts", "**/*.tsx"], rules: { "import/no-restricted-paths": zones(CORE_ZONE, STORAGE_ZONE, FEATURE_ZONE) } },
];

export default config;
