import { expect, test } from "@playwright/test";

test("the home page says what Sluice is and shows every role pool as ready", async ({ page }) => {
  await page.goto("/");
  await expect(page.getByRole("heading", { name: /Your PostgreSQL, safely in reach/ })).toBeVisible();
  const status = page.getByRole("heading", { name: "Database status" }).locator("..");
  await expect(status.getByText("ready", { exact: true })).toBeVisible();
  for (const role of ["readonly", "app", "admin"]) {
    await expect(page.getByRole("cell", { name: role, exact: true })).toBeVisible();
  }
  await page.screenshot({ path: "test-results/e2e/home.png", fullPage: true });
});

test("the readiness link leads to the JSON report", async ({ page, request }) => {
  await page.goto("/");
  const response = await request.get("/api/health/ready");
  expect(response.status()).toBe(200);
  expect((await response.json()).status).toBe("ok");
});
