import { existsSync } from "node:fs";
import { chromium, type Browser } from "@playwright/test";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAppServer, type AppServer } from "@/tests/support/app-server";
import { createTestDatabase, type TestDatabase } from "@/tests/support/database";
import { startRedisServer, type RedisServerHandle } from "@/tests/support/redis-server";
import { createOperator, type Operator } from "@/tests/integration/ops/operator";

/**
 * The strict CSP in a real Chromium: every page the app has still hydrates
 * and runs its client code (sign-in form, SQL editor, dashboard charts), and
 * the browser reports no policy violation anywhere.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
let db: TestDatabase;
let redis: RedisServerHandle;
let app: AppServer;
let operator: Operator;
let browser: Browser;

beforeAll(async () => {
  db = await createTestDatabase("csp");
  redis = await startRedisServer();
  operator = await createOperator(db, redis.url);
  app = await startAppServer(db.envVars({ REDIS_URL: redis.url }));
  browser = await chromium.launch({ executablePath: existsSync(CHROMIUM) ? CHROMIUM : undefined, args: ["--no-sandbox", "--disable-gpu"] });
});
afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await redis?.stop();
  await db?.drop();
});

describe("content security policy in Chromium", () => {
  it("signs in through the hydrated form and renders every page without a CSP violation", async () => {
    const context = await browser.newContext({ baseURL: app.url });
    const page = await context.newPage();
    const violations: string[] = [];
    page.on("console", (message) => {
      if (/Content Security Policy|Refused to (execute|load|apply|connect)/i.test(message.text())) violations.push(message.text());
    });
    page.on("pageerror", (error) => violations.push(`page error: ${error.message}`));
    // Report violations the console might phrase differently.
    await context.addInitScript(() => {
      document.addEventListener("securitypolicyviolation", (event) =>
        console.error(`Content Security Policy violation: ${event.violatedDirective} ${event.blockedURI}`),
      );
    });

    await page.goto("/sign-in");
    await page.getByLabel("E-mail").fill(operator.adminEmail);
    await page.getByLabel("Password").fill(operator.adminPassword);
    await page.getByRole("button", { name: "Sign in" }).click();
    // Only client code navigates after sign-in: this proves the nonce'd scripts ran.
    await page.waitForURL((url) => !url.pathname.startsWith("/sign-in"), { timeout: 20_000 });

    for (const pathname of ["/", "/settings/tokens", "/explore", "/sql", "/admin"]) {
      const response = await page.goto(pathname);
      expect(response?.status(), pathname).toBeLessThan(400);
      expect(response?.headers()["content-security-policy"], pathname).toContain("'strict-dynamic'");
      // Not "networkidle": the dashboard polls. Give hydration a moment to run (and to fail).
      await page.waitForLoadState("load");
      await page.waitForTimeout(500);
    }
    // The SQL page's editor is built by client code (CodeMirror) after hydration.
    await page.goto("/sql");
    await page.locator(".cm-editor").first().waitFor({ state: "visible", timeout: 15_000 });
    expect(violations).toEqual([]);
    await context.close();
  });
});
