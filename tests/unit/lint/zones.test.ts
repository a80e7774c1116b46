import path from "node:path";
import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";

/** The import zones of eslint.config.mjs, checked against the real config: a wall that does not stop anything is no wall. */
const ROOT = path.resolve(import.meta.dirname, "../../..");
const eslint = new ESLint({ cwd: ROOT });

async function zoneErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, file) });
  return (result?.messages ?? []).filter((m) => m.ruleId === "import/no-restricted-paths").map((m) => m.message);
}

describe("import zones", { timeout: 60_000 }, () => {
  it("lib/core imports nothing of the app but lib/env.ts", async () => {
    const errors = await zoneErrors("lib/core/zone-probe.ts", 'import { route } from "@/lib/server/6-route";\nexport const probe = route;\n');
    expect(errors).toEqual([expect.stringContaining("lib/core is the ground floor")]);
    expect(
      await zoneErrors("lib/core/zone-probe.ts", 'import { findUserById } from "@/lib/db/queries/users";\nexport const probe = findUserById;\n'),
    ).toHaveLength(1);
  });

  it("lib/core may import lib/env.ts, its own files and npm packages", async () => {
    const code =
      'import { z } from "zod";\nimport { env } from "@/lib/env";\nimport { log } from "@/lib/core/log";\nexport const probe = [z, env, log];\n';
    expect(await zoneErrors("lib/core/zone-probe.ts", code)).toEqual([]);
  });

  it("storage (lib/db, lib/redis) imports no feature and not lib/server", async () => {
    expect(
      await zoneErrors("lib/db/zone-probe.ts", 'import { authenticate } from "@/lib/auth/authenticate";\nexport const probe = authenticate;\n'),
    ).toHaveLength(1);
    expect(
      await zoneErrors("lib/redis/zone-probe.ts", 'import { getCatalog } from "@/lib/explore/catalog-cache";\nexport const probe = getCatalog;\n'),
    ).toHaveLength(1);
    expect(await zoneErrors("lib/db/zone-probe.ts", 'import { ApiError } from "@/lib/core/errors";\nexport const probe = ApiError;\n')).toEqual([]);
  });

  it("features do not import lib/server; lib/server and app/ may import features", async () => {
    const errors = await zoneErrors(
      "lib/explore/zone-probe.ts",
      'import { toApiError } from "@/lib/server/6-to-api-error";\nexport const probe = toApiError;\n',
    );
    expect(errors).toEqual([expect.stringContaining("Features do not import the request pipeline")]);
    expect(
      await zoneErrors("lib/server/zone-probe.ts", 'import { authenticate } from "@/lib/auth/authenticate";\nexport const probe = authenticate;\n'),
    ).toEqual([]);
    expect(await zoneErrors("app/zone-probe.ts", 'import { route } from "@/lib/server/6-route";\nexport const probe = route;\n')).toEqual([]);
  });
});
