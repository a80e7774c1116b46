import { readFileSync } from "node:fs";
import { expect, test } from "@playwright/test";
import { createE2EUser, owner, signIn } from "@/tests/e2e/support/users";

/** The explorer in a real Chromium against the seeded e2e database: browse → filter → columns → sort → page → CSV. */

const fmt = (n: number) => new Intl.NumberFormat("en-US").format(n);

test("browse the catalog, filter, pick columns, sort, page and download the view as CSV", async ({ page }) => {
  const user = await createE2EUser("viewer");
  const expected = await owner(async (sql) => {
    const [counts] = await sql<{ all: string; shipped: string }[]>`
      select count(*) as all, count(*) filter (where status = 'shipped') as shipped from data.orders`;
    const ids = await sql<{ id: string }[]>`select id::text from data.orders where status = 'shipped' order by orders.id desc`;
    return { all: Number(counts!.all), shipped: Number(counts!.shipped), ids: ids.map((row) => row.id) };
  });
  expect(expected.shipped).toBeGreaterThan(60);

  // Browse: every relation of the data schema, searchable.
  await signIn(page, user, "/explore");
  await expect(page.getByRole("heading", { name: "Explore", level: 1 })).toBeVisible();
  const cards = page.getByTestId("relation-card");
  await expect(cards).toHaveCount(6);
  await expect(page.getByText("One row per checkout")).toBeVisible();
  await page.screenshot({ path: "test-results/e2e/explore-catalog.png", fullPage: true });
  await page.getByLabel("Search the catalog").fill("shipped_at");
  await expect(cards).toHaveCount(1);
  await expect(cards.first()).toContainText("data.orders");
  await cards.first().getByRole("link", { name: "data.orders" }).click();

  // The grid: first page with an exact total and the elapsed time.
  await expect(page).toHaveURL(/\/explore\/data\.orders$/);
  await expect(page.getByRole("heading", { name: "data.orders" })).toBeVisible();
  await expect(page.getByTestId("grid-range")).toHaveText(`Rows 1–50 of ${fmt(expected.all)}`);
  await expect(page.getByTestId("grid-elapsed")).toHaveText(/^\d+ ms$/);

  // Filter: status = shipped, as status=eq.shipped in the URL.
  await page.getByLabel("Filter column").selectOption("status");
  await page.getByLabel("Filter operator").selectOption("eq");
  await page.getByLabel("Filter value").fill("shipped");
  await page.getByRole("button", { name: "Add filter" }).click();
  await expect(page).toHaveURL(/\?status=eq\.shipped$/);
  await expect(page.getByTestId("filter-chip")).toHaveText(/status = shipped/);
  await expect(page.getByTestId("grid-range")).toHaveText(`Rows 1–50 of ${fmt(expected.shipped)}`);

  // Columns: drop shipped_at and currency (select=).
  await page.locator("summary", { hasText: "Columns" }).click();
  const picker = page.getByRole("group", { name: "Visible columns" });
  await picker.getByLabel("shipped_at").click();
  await expect(picker.getByLabel("shipped_at")).not.toBeChecked();
  await picker.getByLabel("currency").click();
  await expect(picker.getByLabel("currency")).not.toBeChecked();
  // The picker edits a draft; closing it commits the choice once.
  await expect(page).not.toHaveURL(/select=/);
  await page.locator("summary", { hasText: "Columns" }).click();
  await expect(page).toHaveURL(/select=id%2Ccustomer_id%2Cstatus%2Cordered_at%2Ctotal/);
  const grid = page.getByTestId("table-grid");
  await expect(grid.locator("thead th")).toHaveCount(5);

  // Sort: id ascending, then descending.
  await grid.getByRole("button", { name: /^id/ }).click();
  await expect(page).toHaveURL(/order=id\.asc/);
  await grid.getByRole("button", { name: /^id/ }).click();
  await expect(page).toHaveURL(/order=id\.desc/);
  await expect(grid.locator("tbody tr").first().locator("td").first()).toHaveText(expected.ids[0]!);
  const statuses = await grid.locator("tbody tr td:nth-child(3)").allTextContents();
  expect(new Set(statuses)).toEqual(new Set(["shipped"]));

  // Page: 25 per page, second page.
  await page.getByLabel("Rows per page").selectOption("25");
  await page.getByRole("button", { name: "Next →" }).click();
  await expect(page).toHaveURL(/limit=25&offset=25/);
  await expect(page.getByTestId("grid-range")).toHaveText(`Rows 26–50 of ${fmt(expected.shipped)}`);
  await expect(grid.locator("tbody tr")).toHaveCount(25);
  await expect(grid.locator("tbody tr").first().locator("td").first()).toHaveText(expected.ids[25]!);
  await page.screenshot({ path: "test-results/e2e/explore-grid.png", fullPage: true });

  // The URL is the state: a reload (or a shared link) shows the same page.
  await page.reload();
  await expect(page.getByTestId("grid-range")).toHaveText(`Rows 26–50 of ${fmt(expected.shipped)}`);
  await expect(grid.locator("tbody tr").first().locator("td").first()).toHaveText(expected.ids[25]!);

  // CSV of the current view: same filter, columns and order, every matching row.
  const downloading = page.waitForEvent("download");
  await page.getByRole("link", { name: "Download CSV" }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe("data.orders.csv");
  const lines = readFileSync((await download.path())!, "utf8")
    .trimEnd()
    .split(/\r?\n/);
  expect(lines[0]).toBe("id,customer_id,status,ordered_at,total");
  expect(lines).toHaveLength(expected.shipped + 1);
  expect(lines.slice(1).map((line) => line.split(",")[0])).toEqual(expected.ids);
  expect(lines.slice(1).every((line) => line.split(",")[2] === "shipped")).toBe(true);
});

test("a bad filter in the URL is explained in words, and an unknown table says so", async ({ page }) => {
  const user = await createE2EUser("viewer");
  await signIn(page, user, "/explore/data.orders?no_such_column=eq.1");
  const alert = page.getByRole("alert").filter({ hasText: "The rows could not be loaded" });
  await expect(alert).toContainText(/no_such_column/);
  // Said in words; the internal code is not on the page.
  await expect(alert.getByTestId("error-title")).toHaveText("Unknown column");
  await expect(alert).not.toContainText("bad_request");
  await page.getByRole("button", { name: /Remove filter no_such_column/ }).click();
  await expect(page.getByTestId("grid-range")).toHaveText(/^Rows 1–50 of /);
  await expect(alert).toHaveCount(0);

  await page.goto("/explore/data.nope");
  await expect(page.getByText("No such table or view")).toBeVisible();
});
