import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

/**
 * Every module under lib/ begins with `import "server-only"`, so a browser
 * bundle that reaches one by mistake fails the build instead of shipping
 * server code. The exceptions are the modules something outside a React
 * Server bundle must load; each says who.
 */
const ROOT = path.resolve(import.meta.dirname, "../../..");

const WITHOUT_SERVER_ONLY: Record<string, string> = {
  // Browser bundles: components/queries/parameter-draft.ts (findPlaceholders) reaches the SQL
  // stage, which reaches the grammar and the catalog model; they raise the explorer's errors.
  "lib/explore/sql/": "browser: components/queries/parameter-draft.ts",
  "lib/explore/grammar/": "browser: through lib/explore/sql",
  "lib/explore/catalog/": "browser: through lib/explore/sql (the catalog model; the loader is lib/explore/catalog-cache.ts)",
  "lib/explore/errors.ts": "browser: raised by the grammar and the SQL stage",
  "lib/core/errors.ts": "browser: through lib/explore/errors.ts",
  "lib/db/schema/": "tooling: drizzle-kit loads it, db/seed and db/migrate run under plain tsx; browser: types only",
  "lib/db/roles.ts": "browser: components/admin/pool-charts.tsx (ROLES); tooling: db/setup.ts",
  // Tooling run by plain node or tsx without --conditions=react-server.
  "lib/env.ts": "tooling: scripts/lib/bootstrap.ts, tests/support (Playwright's global setup)",
  "lib/env-file.ts": "tooling: scripts/lib/bootstrap.ts, and npm start (scripts/start.mjs) through its bundle",
  "lib/ratelimit/policies.ts": "tooling: through lib/env.ts",
  "lib/db/embedded.ts": "tooling: scripts/dev.ts, tests/support/app-server.ts (Playwright)",
  "lib/security/static-headers.ts": "tooling: next.config.ts",
};

function modules(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const relative = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return modules(relative);
    return /\.tsx?$/.test(entry.name) ? [relative] : [];
  });
}

const allowed = (file: string) => Object.keys(WITHOUT_SERVER_ONLY).some((entry) => (entry.endsWith("/") ? file.startsWith(entry) : file === entry));

describe("server-only", () => {
  it('every lib/ module starts with import "server-only", save the listed exceptions', () => {
    const missing = modules("lib").filter(
      (file) => !allowed(file) && !readFileSync(path.join(ROOT, file), "utf8").startsWith('import "server-only";'),
    );
    expect(missing).toEqual([]);
  });

  it("every exception still exists", () => {
    const files = modules("lib");
    for (const entry of Object.keys(WITHOUT_SERVER_ONLY))
      expect(
        files.some((file) => (entry.endsWith("/") ? file.startsWith(entry) : file === entry)),
        entry,
      ).toBe(true);
  });
});
