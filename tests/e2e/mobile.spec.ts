import { expect, test } from "@playwright/test";
import { writeSql } from "@/tests/e2e/support/sql-editor";
import { createE2EUser, owner, signIn } from "@/tests/e2e/support/users";

/** At 390 px (a phone) every page fits the screen: no sideways scrolling of the page itself; wide tables scroll inside their cards. */

test.use({ viewport: { width: 390, height: 844 } });

test("every page fits a 390 px screen, and the header folds into a menu", async ({ page }) => {
  test.setTimeout(180_000);
  const admin = await createE2EUser("admin");
  const [saved] = await owner(
    (sql) => sql<{ id: string }[]>`
      insert into app.saved_queries (owner_id, name, sql) values (${admin.id}, 'E2E mobile', 'SELECT id, status, total FROM data.orders ORDER BY id LIMIT 5')
      returning id`,
  );
  // Control: the same check does fail for a page wider than the screen.
  await page.goto("/sign-in");
  const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  await page.evaluate(() => document.body.append(Object.assign(document.createElement("div"), { style: "width: 800px; height: 1px" })));
  expect(await overflow()).toBeGreaterThan(0);

  await page.goto("/sign-in");
  expect(await overflow(), "/sign-in").toBeLessThanOrEqual(0);
  await signIn(page, admin, "/explore");
  const paths = [
    "/",
    "/explore",
    "/explore/data.orders",
    "/sql",
    "/queries",
    "/queries/new",
    `/queries/${saved!.id}`,
    "/settings/tokens",
    "/settings/password",
    "/admin",
    "/admin/users",
    `/admin/users/${admin.id}`,
    "/admin/queries",
    "/admin/tokens",
    "/admin/audit",
  ];
  for (const path of paths) {
    await page.goto(path);
    await page.locator("main h1").first().waitFor();
    if (path.startsWith("/explore/")) await page.getByTestId("table-grid").locator("tbody tr").first().waitFor();
    // The dashboard fills in from its stats API; judge it with everything drawn, charts included.
    if (path === "/admin") {
      await page.getByTestId("fleet-row").first().waitFor();
      await page.getByTestId("server-row-readonly").first().waitFor();
      await page.getByTestId("pool-charts").locator("svg.recharts-surface").first().waitFor({ timeout: 30_000 });
    }
    expect.soft(await overflow(), path).toBeLessThanOrEqual(0);
    // Every admin page carries the admin tab bar.
    if (path.startsWith("/admin")) await expect.soft(page.getByRole("navigation", { name: "Admin" }), path).toBeVisible();
  }

  // The header's links are in the menu.
  await page.goto("/");
  await expect(page.getByRole("navigation", { name: "Main" })).toBeHidden();
  await page.getByTestId("mobile-menu").locator("summary").click();
  await page.getByTestId("mobile-menu").getByRole("link", { name: "Explore" }).click();
  await expect(page).toHaveURL(/\/explore$/);
  await page.screenshot({ path: "test-results/e2e/mobile-explore.png", fullPage: true });
  await page.goto("/explore/data.orders");
  await page.screenshot({ path: "test-results/e2e/mobile-grid.png", fullPage: true });
});

test("at 390 px: the first-sign-in password form, the signed-in home, typed parameters and a syntax error fit the screen", async ({ page }) => {
  test.setTimeout(120_000);
  const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  // A user whose password was set for them lands on the password form, explained.
  const flagged = await createE2EUser("analyst");
  await owner((sql) => sql`update app.users set must_change_password = true where id = ${flagged.id}`);
  await page.goto("/sign-in");
  await page.getByLabel("E-mail").fill(flagged.email);
  await page.getByLabel("Password").fill(flagged.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/settings\/password\?required=1$/);
  await expect(page.getByTestId("password-required")).toBeVisible();
  expect.soft(await overflow(), "/settings/password (required)").toBeLessThanOrEqual(0);
  await page.context().clearCookies();

  const analyst = await createE2EUser("analyst");
  await signIn(page, analyst, "/sql");
  await writeSql(page, "selec 1");
  await page.keyboard.press("ControlOrMeta+Enter");
  await expect(page.getByTestId("sql-error")).toHaveText('syntax error at or near "selec"');
  expect.soft(await overflow(), "/sql with a syntax error").toBeLessThanOrEqual(0);

  await page.goto("/");
  await expect(page.getByRole("region", { name: "Query history" }).getByRole("link", { name: "selec 1" })).toBeVisible();
  expect.soft(await overflow(), "/ signed in").toBeLessThanOrEqual(0);

  await page.goto("/queries/new");
  await writeSql(page, "SELECT id FROM data.orders WHERE ordered_at >= {{since}} LIMIT {{n}}");
  await expect(page.getByLabel("Parameter since type")).toHaveValue("timestamp");
  expect.soft(await overflow(), "/queries/new with typed parameters").toBeLessThanOrEqual(0);
  await page.screenshot({ path: "test-results/e2e/mobile-query-form.png", fullPage: true });
});
