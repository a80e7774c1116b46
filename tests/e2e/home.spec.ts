import { expect, test } from "@playwright/test";

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
