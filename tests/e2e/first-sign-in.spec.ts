import { randomBytes } from "node:crypto";
import { expect, test, type Browser, type Page } from "@playwright/test";
import { createE2EUser, e2eState, signIn } from "@/tests/e2e/support/users";

/**
 * A user an admin creates (or whose password an admin resets) was given a password someone
 * else has seen: at sign-in they are sent to /settings/password, with the reason, until they
 * choose their own. A user with a password of their own is not.
 */

async function signInAs(browser: Browser, email: string, password: string): Promise<Page> {
  const context = await browser.newContext({ baseURL: e2eState().baseUrl });
  const page = await context.newPage();
  await page.goto("/sign-in?callbackUrl=%2Fsql");
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  return page;
}

test("an admin-created user replaces the generated password at first sign-in, and again after a reset", async ({ browser, page }) => {
  test.setTimeout(120_000);
  const admin = await createE2EUser("admin");
  await signIn(page, admin, "/admin/users");
  const email = `e2e-new-${randomBytes(4).toString("hex")}@example.test`;
  const addForm = page.getByRole("form", { name: "Add a user" });
  await addForm.getByLabel("E-mail").fill(email);
  await addForm.getByLabel("Role").selectOption("analyst");
  await addForm.getByRole("button", { name: "Add user" }).click();
  const generated = (await page.getByTestId("one-time-password").locator("code").textContent())!.trim();
  expect(generated.length).toBeGreaterThanOrEqual(12);
  // The admin sees that the new user has not chosen a password yet.
  await page.reload();
  await expect(page.locator(`tr[data-user-email="${email}"]`)).toContainText("password not yet replaced");

  // Sign-in works, but lands on the password form with the reason, not on the page asked for.
  const user = await signInAs(browser, email, generated);
  await expect(user).toHaveURL(/\/settings\/password\?required=1$/);
  await expect(user.getByTestId("password-required")).toContainText("Choose your own password to continue");
  // Every other page sends them back; the session's API calls are refused, in words.
  await user.goto("/sql");
  await expect(user).toHaveURL(/\/settings\/password\?required=1$/);
  await user.goto("/");
  await expect(user).toHaveURL(/\/settings\/password\?required=1$/);
  const refused = await user.request.post("/api/v1/sql", { data: { sql: "select 1" } });
  expect(refused.status()).toBe(403);
  expect((await refused.json()) as unknown).toMatchObject({ error: { details: { reason: "password_change_required" } } });
  await user.screenshot({ path: "test-results/e2e/first-sign-in.png", fullPage: true });

  // The same password again is not a change.
  const form = user.getByRole("form", { name: "Change password" });
  await form.getByLabel("Current password").fill(generated);
  await form.locator('input[name="next"]').fill(generated);
  await form.getByLabel("New password, again").fill(generated);
  await form.getByRole("button", { name: "Change password" }).click();
  await expect(form.getByText("choose a password different from the current one")).toBeVisible();

  const chosen = `own-${randomBytes(12).toString("base64url")}`;
  await form.getByLabel("Current password").fill(generated);
  await form.locator('input[name="next"]').fill(chosen);
  await form.getByLabel("New password, again").fill(chosen);
  await form.getByRole("button", { name: "Change password" }).click();
  await expect(user).toHaveURL(/\/sign-in\?notice=password-changed/);
  await user.context().close();

  // With their own password the user goes where they asked, and the API answers.
  const own = await signInAs(browser, email, chosen);
  await expect(own).toHaveURL(/\/sql$/);
  expect((await own.request.post("/api/v1/sql", { data: { sql: "select 1 as one" } })).status()).toBe(200);
  await own.context().close();

  // An admin's reset sets the flag again.
  await page.goto("/admin/users");
  await expect(page.locator(`tr[data-user-email="${email}"]`)).not.toContainText("password not yet replaced");
  await page.getByRole("link", { name: email }).click();
  page.once("dialog", (dialog) => void dialog.accept());
  await page.getByRole("button", { name: "Reset password" }).click();
  const reset = (await page.getByTestId("one-time-password").locator("code").textContent())!.trim();
  const again = await signInAs(browser, email, reset);
  await expect(again).toHaveURL(/\/settings\/password\?required=1$/);
  await again.context().close();
});

test("control: a user with a password of their own is not sent to the password form", async ({ page }) => {
  const analyst = await createE2EUser("analyst");
  await signIn(page, analyst, "/sql");
  await expect(page.getByRole("heading", { name: "SQL console" })).toBeVisible();
  await page.goto("/settings/password");
  await expect(page.getByRole("form", { name: "Change password" })).toBeVisible();
  await expect(page.getByTestId("password-required")).toHaveCount(0);
});
