import { expect, test } from "@playwright/test";
import { createE2EUser, signIn } from "@/tests/e2e/support/users";

/** The identity flow in a real Chromium: sign in, create a token (shown once), use it, revoke it, sign out. */
test("sign in, create an API token shown once, revoke it, sign out", async ({ page, context, request, baseURL }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: baseURL });
  const user = await createE2EUser("analyst");

  // A wrong password first: a clear error, no way in.
  await page.goto("/settings/tokens");
  await expect(page).toHaveURL(/\/sign-in\?callbackUrl=%2Fsettings%2Ftokens/);
  await page.getByLabel("E-mail").fill(user.email);
  await page.getByLabel("Password").fill("not the password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert").filter({ hasText: /\S/ })).toHaveText("The e-mail or password is not correct.");

  await page.getByLabel("Password").fill(user.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/settings\/tokens$/);
  await expect(page.getByTestId("signed-in-user")).toContainText(user.email);
  await expect(page.getByText("No tokens yet.")).toBeVisible();

  // Create: the token is shown once, with a working copy button.
  const form = page.getByRole("form", { name: "Create an API token" });
  await form.getByLabel("Name").fill("e2e export");
  await form.getByLabel(/sql:run/).check();
  await form.getByLabel("Expires after").selectOption("7d");
  await form.getByRole("button", { name: "Create token" }).click();
  const shown = page.getByTestId("new-token-value");
  await expect(shown).toHaveText(/^slc_[0-9A-Za-z]{43}$/);
  const token = (await shown.textContent())!;
  await page.getByTestId("new-token").getByRole("button", { name: "Copy" }).click();
  await expect(page.getByTestId("new-token").getByRole("button", { name: "Copied" })).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(token);

  const row = page.getByRole("row", { name: /e2e export/ });
  await expect(row).toContainText("tables:read");
  await expect(row).toContainText("sql:run");
  await expect(row).toContainText(`slc_…${token.slice(-4)}`);
  await page.screenshot({ path: "test-results/e2e/tokens.png", fullPage: true });

  // It works on the API, as its owner with its scopes.
  const me = await request.get("/api/v1/me", { headers: { authorization: `Bearer ${token}` } });
  expect(me.status()).toBe(200);
  expect(await me.json()).toMatchObject({ email: user.email, via: "token", scopes: ["tables:read", "sql:run"] });

  // Never shown again.
  await page.reload();
  await expect(page.getByTestId("new-token")).toHaveCount(0);
  expect(await page.content()).not.toContain(token);

  // Revoke: gone from the list, refused by the API at once.
  page.once("dialog", (dialog) => void dialog.accept());
  await page
    .getByRole("row", { name: /e2e export/ })
    .getByRole("button", { name: "Revoke e2e export" })
    .click();
  await expect(page.getByRole("row", { name: /e2e export/ })).toHaveCount(0);
  await expect(page.getByText("No tokens yet.")).toBeVisible();
  const refused = await request.get("/api/v1/me", { headers: { authorization: `Bearer ${token}` } });
  expect(refused.status()).toBe(401);
  expect((await refused.json()).error.code).toBe("unauthorized");

  // Sign out: back to the sign-in page, and signed-in pages send us there again.
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/sign-in\?notice=signed-out/);
  await expect(page.getByText("You are signed out.")).toBeVisible();
  await expect(page.getByRole("link", { name: "Sign in" })).toBeVisible();
  await page.goto("/settings/tokens");
  await expect(page).toHaveURL(/\/sign-in/);
});

test("the new token's secret is cleared by any later action on the page, and by its own dismiss button", async ({ page }) => {
  const user = await createE2EUser("analyst");
  await signIn(page, user, "/settings/tokens");
  const form = page.getByRole("form", { name: "Create an API token" });
  for (const name of ["e2e first", "e2e second"]) {
    await form.getByLabel("Name").fill(name);
    await form.getByRole("button", { name: "Create token" }).click();
    await expect(page.getByTestId("new-token")).toContainText(name);
  }
  const secret = (await page.getByTestId("new-token-value").textContent())!;
  // Revoking the other token (a later action): the secret leaves the screen.
  page.once("dialog", (dialog) => void dialog.accept());
  await page.getByRole("button", { name: "Revoke e2e first" }).click();
  await expect(page.getByRole("row", { name: /e2e first/ })).toHaveCount(0);
  await expect(page.getByTestId("new-token")).toHaveCount(0);
  expect(await page.content()).not.toContain(secret);
  // Control: a freshly created one is shown, and its dismiss button hides it.
  await form.getByLabel("Name").fill("e2e third");
  await form.getByRole("button", { name: "Create token" }).click();
  await expect(page.getByTestId("new-token")).toContainText("e2e third");
  await page.getByRole("button", { name: "Done — hide the token" }).click();
  await expect(page.getByTestId("new-token")).toHaveCount(0);
});
