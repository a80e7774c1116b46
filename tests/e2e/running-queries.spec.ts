import { expect, test, type BrowserContext, type Page, type TestInfo } from "@playwright/test";
import { writeSql } from "@/tests/e2e/support/sql-editor";
import { createE2EUser, createToken, e2eState, signIn } from "@/tests/e2e/support/users";
import { callServerAction } from "@/tests/support/server-action";

/**
 * The admins' running-queries panel in Chromium: an analyst's console query shows up with the
 * analyst's name and "via session" (and a run through the analyst's API token with the token's
 * name); the admin cancels them; each run ends with the cancel's message; the audit log names both. A non-admin is refused the page, its JSON and
 * its action (control: the admin's same action call gets past authorization).
 */
const MARKER = "e2e_running_marker";

async function cookieOf(context: BrowserContext): Promise<string> {
  return (await context.cookies()).map((cookie) => `${cookie.name}=${cookie.value}`).join("; ");
}

const signal = (cookie: string, pid: string) =>
  callServerAction(e2eState().baseUrl, {
    page: "/admin/queries",
    filename: "actions/admin-queries.ts",
    exportedName: "signalQueryAction",
    fields: { pid, signal: "cancel" },
    cookie,
  });

/** Beside the other specs' screenshots in the output dir (not committed), and attached to the report. */
async function keepScreenshot(page: Page, testInfo: TestInfo, name: string) {
  const path = `test-results/e2e/${name}.png`;
  await page.screenshot({ path, fullPage: true });
  await testInfo.attach(name, { path, contentType: "image/png" });
}

const overflow = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

test("an admin sees another user's console query with who ran it, cancels it, and finds it in the audit log", async ({ browser }, testInfo) => {
  test.setTimeout(120_000);
  const admin = await createE2EUser("admin");
  const analyst = await createE2EUser("analyst");
  const adminContext = await browser.newContext();
  const userContext = await browser.newContext();
  const adminPage = await adminContext.newPage();
  const userPage = await userContext.newPage();
  try {
    await signIn(adminPage, admin, "/admin/queries");
    await expect(adminPage.getByRole("navigation", { name: "Admin" }).getByRole("link", { name: "Running queries" })).toBeVisible();

    await signIn(userPage, analyst, "/sql");
    await writeSql(userPage, `select pg_sleep(30) as ${MARKER}`);
    await userPage.getByRole("button", { name: /^Run/ }).click();

    // It appears on the next refresh, named.
    const row = adminPage.getByTestId("running-query").filter({ hasText: MARKER });
    await expect(row).toHaveCount(1, { timeout: 15_000 });
    await expect(row.getByTestId("query-user")).toHaveText(analyst.email);
    await expect(row.getByTestId("query-via")).toContainText("via session");
    await expect(row).toContainText("readonly");
    await expect(row).toContainText("active");
    const pid = await row.getAttribute("data-pid");
    expect(pid).toMatch(/^\d+$/);
    await keepScreenshot(adminPage, testInfo, "admin-running-queries");

    // On a phone the table scrolls inside its card; the page itself does not scroll sideways.
    await adminPage.setViewportSize({ width: 390, height: 844 });
    await expect(row).toBeVisible();
    expect(await overflow(adminPage)).toBeLessThanOrEqual(0);
    await keepScreenshot(adminPage, testInfo, "admin-running-queries-390px");
    await adminPage.setViewportSize({ width: 1280, height: 900 });

    // A run through an API token is named with the token's name.
    const token = await createToken(analyst.email, "sql:run", "e2e-ci");
    const tokenRun = fetch(`${e2eState().baseUrl}/api/v1/sql`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ sql: "select pg_sleep(30) as e2e_token_marker" }),
    });
    const tokenRow = adminPage.getByTestId("running-query").filter({ hasText: "e2e_token_marker" });
    await expect(tokenRow.getByTestId("query-via")).toContainText("via token “e2e-ci”", { timeout: 15_000 });
    await expect(tokenRow.getByTestId("query-user")).toHaveText(analyst.email);
    adminPage.once("dialog", (dialog) => void dialog.accept());
    await tokenRow.getByRole("button", { name: /^Cancel backend/ }).click();
    const cancelled = await tokenRun;
    expect(cancelled.status).toBe(422);
    expect((await cancelled.json()).error).toMatchObject({ code: "unprocessable", message: "An administrator cancelled this query" });

    // Cancel, confirmed in a dialog that names whose query it is.
    let confirmText = "";
    adminPage.once("dialog", (dialog) => {
      confirmText = dialog.message();
      void dialog.accept();
    });
    await row.getByRole("button", { name: `Cancel backend ${pid}` }).click();
    await expect(userPage.getByTestId("sql-error")).toHaveText("An administrator cancelled this query", { timeout: 10_000 });
    expect(confirmText).toContain(analyst.email);
    await expect(row).toHaveCount(0, { timeout: 10_000 });

    // The audit log says it in words, with both people named.
    await adminPage.goto("/admin/audit?action=query.cancel");
    const event = adminPage.getByTestId("audit-row").first();
    await expect(event.getByTestId("audit-summary")).toHaveText(`${admin.email} cancelled ${analyst.email}'s query (backend ${pid})`);
    await event.locator("summary").click();
    await expect(event).toContainText(MARKER);
  } finally {
    await adminContext.close();
    await userContext.close();
  }
});

test("a non-admin gets 403 on the running-queries page, its JSON and its action; CONTROL: the admin's action call is authorized", async ({
  browser,
}) => {
  const analyst = await createE2EUser("analyst");
  const admin = await createE2EUser("admin");
  const userContext = await browser.newContext();
  const adminContext = await browser.newContext();
  try {
    const userPage = await userContext.newPage();
    await signIn(userPage, analyst, "/sql");
    const response = await userPage.goto("/admin/queries");
    expect(response?.status()).toBe(403);
    await expect(userPage.getByTestId("running-queries")).toHaveCount(0);
    const json = await userPage.request.get("/api/admin/queries");
    expect(json.status()).toBe(403);
    expect((await json.json()).error.code).toBe("forbidden");
    const refused = await signal(await cookieOf(userContext), "1");
    expect(refused.result).toMatchObject({ ok: false, code: "forbidden" });

    const adminPage = await adminContext.newPage();
    await signIn(adminPage, admin, "/admin/queries");
    // Authorized, then refused for the pid: backend 1 is no backend of Sluice's roles.
    const authorized = await signal(await cookieOf(adminContext), "1");
    expect(authorized.result).toMatchObject({ ok: false, code: "not_found" });
    expect((await adminPage.request.get("/api/admin/queries")).status()).toBe(200);
  } finally {
    await userContext.close();
    await adminContext.close();
  }
});
