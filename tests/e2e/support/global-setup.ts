import { writeFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import { startAppServer } from "@/tests/support/app-server";
import { cloneTemplate, startTestServices } from "@/tests/support/services";
import { testEnvVars } from "@/tests/support/test-env";

/**
 * One seeded database and one production server for the browser tests. The
 * server's URL reaches the tests through E2E_BASE_URL (Playwright's baseURL);
 * what tests need to reach the database directly is written to a state file.
 */
export const STATE_FILE = path.resolve(import.meta.dirname, "../../../test-results/e2e-state.json");

export default async function globalSetup() {
  const services = await startTestServices();
  const databaseUrl = await cloneTemplate(services.database, "e2e");
  // Every browser of the run signs in from 127.0.0.1: its signed-out requests (sign-in pages, the
  // CSRF fetch) share one anonymous budget of 120 a minute, which a fast run of all the specs
  // spends ("Too many sign-in attempts from this address"). No spec tests that limit.
  const envVars = testEnvVars(services.database, databaseUrl, { REDIS_URL: services.redisUrl, RATE_LIMIT_ANONYMOUS_LIMIT: "100000" });
  const app = await startAppServer(envVars);
  process.env.E2E_BASE_URL = app.url;
  mkdirSync(path.dirname(STATE_FILE), { recursive: true });
  writeFileSync(STATE_FILE, JSON.stringify({ baseUrl: app.url, databaseUrl, envVars }, null, 2));
  return async () => {
    await app.stop();
    await services.stop();
  };
}
