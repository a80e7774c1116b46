import { expect, test } from "@playwright/test";
import { createE2EUser, owner, signIn } from "@/tests/e2e/support/users";

test("the home page says what Sluice is and shows the database as ready, without pool internals", async ({ page }) => {
  await page.goto("/");
  await expect(page.getByRole("heading", { name: /Your PostgreSQL, safely in reach/ })).toBeVisible();
  const status = page.getByRole("heading", { name: "Database status" }).locator("..");
  await expect(status.getByText("ready", { exact: true })).toBeVisible();
  // Pool sizes and latencies are for admins (the dashboard), not for anyone who opens the page.
  await expect(page.getByRole("cell")).toHaveCount(0);
  await page.screenshot({ path: "test-results/e2e/home.png", fullPage: true });
});

test("the readiness link leads to the JSON status", async ({ page, request }) => {
  await page.goto("/");
  const response = await request.get("/api/health/ready");
  expect(response.status()).toBe(200);
  expect(await response.json()).toEqual({ status: "ok" });
});

test("signed in, the home page lists the user's recent runs and saved queries, with shortcuts", async ({ page, browser }) => {
  const analyst = await createE2EUser("analyst");
  const [saved] = await owner(
    (sql) => sql<{ id: string }[]>`
      insert into app.saved_queries (owner_id, name, sql) values (${analyst.id}, 'E2E home query', 'SELECT 1 AS one') returning id`,
  );
  await signIn(page, analyst, "/sql");
  const marker = `e2e_home_${Date.now()}`;
  expect((await page.request.post("/api/v1/sql", { data: { sql: `SELECT 1 AS ${marker}` } })).status()).toBe(200);

  await page.goto("/");
  await expect(page.getByRole("heading", { name: "Welcome back" })).toBeVisible();
  const history = page.getByRole("region", { name: "Query history" });
  await expect(history.getByRole("link", { name: `SELECT 1 AS ${marker}` })).toBeVisible();
  await expect(page.getByTestId("home-queries").getByRole("link", { name: "E2E home query" })).toHaveAttribute("href", `/queries/${saved!.id}`);
  const shortcuts = page.getByRole("navigation", { name: "Shortcuts" });
  await expect(shortcuts.getByRole("link")).toHaveText([/Explore tables/, /SQL console/, /New saved query/]);
  await page.screenshot({ path: "test-results/e2e/home-signed-in.png", fullPage: true });

  // One click reopens the run in the console.
  await history.getByRole("link", { name: `SELECT 1 AS ${marker}` }).click();
  await expect(page).toHaveURL(/\/sql\?history=\d+$/);
  await expect(page.getByTestId("sql-editor")).toContainText(marker);

  // Control: without a session the home page is the public one.
  const anonymous = await browser.newContext();
  const anonymousPage = await anonymous.newPage();
  await anonymousPage.goto(new URL("/", page.url()).toString());
  await expect(anonymousPage.getByRole("heading", { name: /Your PostgreSQL, safely in reach/ })).toBeVisible();
  await expect(anonymousPage.getByRole("heading", { name: "Welcome back" })).toHaveCount(0);
  await anonymous.close();
});
