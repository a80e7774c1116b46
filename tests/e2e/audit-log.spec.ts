import { randomUUID } from "node:crypto";
import { expect, test } from "@playwright/test";
import { createE2EUser, owner, signIn } from "@/tests/e2e/support/users";

/**
 * The audit log reads as sentences with names, pages forward and back with its filters kept,
 * says where a page sits in the total, brings an out-of-range page back, and fits a phone.
 */
test("the audit log pages through a filtered list, keeps the filters, and names people even after they are gone", async ({ page }) => {
  const admin = await createE2EUser("admin");
  const actor = await createE2EUser("viewer");
  const kind = `e2e.paging-${randomUUID().slice(0, 8)}`;
  const gone = randomUUID();
  await owner(async (sql) => {
    // 55 events of one kind by one actor, and as many of the same kind by someone else (the actor filter must keep them out).
    await sql`
      insert into app.audit_events (occurred_at, actor_user_id, via, action, target, details)
      select now() - make_interval(secs => g), ${actor.id}, 'session', ${kind}, null, jsonb_build_object('n', g)
        from generate_series(1, 55) g`;
    await sql`
      insert into app.audit_events (occurred_at, actor_user_id, via, action, details)
      select now() - make_interval(secs => g), ${admin.id}, 'session', ${kind}, '{}'::jsonb from generate_series(1, 55) g`;
    // A user who no longer exists: named by the e-mail the event kept.
    await sql`
      insert into app.audit_events (actor_user_id, via, action, target, details)
      values (${admin.id}, 'session', 'user.disable', ${gone}, jsonb_build_object('email', 'former@example.test'))`;
  });

  await signIn(page, admin, "/admin/audit");
  await page.getByRole("combobox", { name: "Event" }).selectOption(kind);
  await page.getByRole("textbox", { name: "Actor" }).fill(actor.email);
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page.getByTestId("audit-position")).toHaveText("1–50 of 55 events · page 1 of 2");
  await expect(page.getByTestId("audit-row")).toHaveCount(50);
  await expect(page.getByRole("link", { name: "← Newer" })).toHaveCount(0);

  await page.getByRole("link", { name: "Older →" }).click();
  await expect(page).toHaveURL(new RegExp(`action=${kind.replace(".", "\\.")}.*page=2`));
  await expect(page.getByTestId("audit-position")).toHaveText("51–55 of 55 events · page 2 of 2");
  await expect(page.getByTestId("audit-row")).toHaveCount(5);
  // The filters stayed: every row is the actor's.
  for (const summary of await page.getByTestId("audit-summary").allTextContents()) expect(summary).toContain(actor.email);
  await expect(page.getByRole("link", { name: "Older →" })).toHaveCount(0);
  await page.getByRole("link", { name: "← Newer" }).click();
  await expect(page.getByTestId("audit-position")).toHaveText("1–50 of 55 events · page 1 of 2");

  // Past the end: said so, with the way back to the last page (which then has a working "Newer").
  await page.goto(`/admin/audit?action=${kind}&user=${encodeURIComponent(actor.email)}&page=9`);
  await expect(page.getByTestId("audit-empty")).toContainText("Page 9 is past the last page of 55 events");
  await page.getByRole("link", { name: "Go to the last page (2)" }).click();
  await expect(page.getByTestId("audit-position")).toHaveText("51–55 of 55 events · page 2 of 2");

  // Details unfold with the ids in full.
  await page.goto("/admin/audit?action=user.disable");
  const row = page.getByTestId("audit-row").filter({ hasText: "former@example.test" });
  await expect(row.getByTestId("audit-summary")).toHaveText(`${admin.email} disabled former@example.test`);
  await row.locator("summary").click();
  await expect(row).toContainText(gone);

  // A phone: no sideways scrolling of the page.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`/admin/audit?action=${kind}`);
  await expect(page.getByTestId("audit-row").first()).toBeVisible();
  await page.getByTestId("audit-row").first().locator("summary").click();
  expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
  await page.getByTestId("audit-row").first().scrollIntoViewIfNeeded();
  await page.screenshot({ path: "test-results/e2e/admin-audit-390px.png" });
});
