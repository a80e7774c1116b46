import { readFile } from "node:fs/promises";
import { applyGrants } from "@/db/setup";
import type { TestDatabase } from "@/tests/support/database";

/** The schemas the compatibility suite exposes: PostgREST's fixture first (the default profile), then the demo data. */
export const COMPAT_SCHEMAS = ["pgrst", "data"];

/**
 * Loads tests/support/fixtures/postgrest-spec.sql into a test database and grants it to the
 * readonly role the way `npm run db:setup` grants DATA_SCHEMAS.
 */
export async function loadPostgrestFixture(db: TestDatabase): Promise<void> {
  const text = await readFile(new URL("./fixtures/postgrest-spec.sql", import.meta.url), "utf8");
  await db.owner.unsafe(text);
  await db.owner`analyze`;
  await applyGrants(db.owner, db.url, { ...db.env, DATA_SCHEMAS: COMPAT_SCHEMAS }, () => {});
}
