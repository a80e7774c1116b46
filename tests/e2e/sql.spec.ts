import { expect, test } from "@playwright/test";
import { writeSql } from "@/tests/e2e/support/sql-editor";
import { createE2EUser, owner, signIn } from "@/tests/e2e/support/users";

/** The SQL console and saved queries in a real Chromium: run, errors with position, cancel, save with a parameter, run by API with a token. */

const activeSleeps = (marker: string) =>
  owner(async (sql) => {
    const [row] = await sql<{ n: string }[]>`
      select count(*) as n from pg_stat_activity
      where state = 'active' and pid <> pg_backend_pid() and query like ${`%${marker}%`} and query not like '%pg_stat_activity%'`;
    return Number(row!.n);
  });

test("viewers are told the console needs the analyst role", async ({ page }) => {
  const viewer = await createE2EUser("viewer");
  await signIn(page, viewer, "/sql");
  await expect(page.getByRole("heading", { name: "This area needs the analyst role" })).toBeVisible();
  await expect(page.getByTestId("sql-editor")).toHaveCount(0);
});

test("write SQL, see errors at their position, cancel, save with a parameter and run it through the API with a token", async ({ page, request }) => {
  test.setTimeout(120_000);
  const analyst = await createE2EUser("analyst");
  await signIn(page, analyst, "/sql");
  await expect(page.getByRole("heading", { name: "SQL console" })).toBeVisible();

  // A syntax error is explained, and its position is marked in the editor.
  await writeSql(page, "SELECT * FROM data.orders WHER id = 1");
  await page.keyboard.press("ControlOrMeta+Enter");
  await expect(page.getByTestId("sql-error")).toContainText(/syntax error/i);
  await expect(page.locator(".cm-sql-error")).toHaveText("id");

  // A good query: rows, row count, elapsed time — the same numbers Postgres gives the owner.
  const expected = await owner(
    (sql) => sql<{ status: string; n: string }[]>`select status, count(*)::text as n from data.orders group by status order by status`,
  );
  await writeSql(page, "SELECT status, count(*) AS n FROM data.orders GROUP BY status ORDER BY status");
  await page.getByRole("button", { name: /^Run/ }).click();
  const grid = page.getByTestId("result-grid");
  await expect(grid.locator("tbody tr")).toHaveCount(expected.length);
  await expect(page.getByTestId("result-count")).toHaveText(`${expected.length} rows`);
  await expect(page.getByTestId("result-elapsed")).toHaveText(/^\d+(\.\d+)? ms$/);
  expect(await grid.locator("tbody tr td:nth-child(1)").allTextContents()).toEqual(expected.map((row) => row.status));
  expect(await grid.locator("tbody tr td:nth-child(2)").allTextContents()).toEqual(expected.map((row) => row.n));
  await page.screenshot({ path: "test-results/e2e/sql-console.png", fullPage: true });

  // Cancel: the backend query is gone from pg_stat_activity long before it would have ended.
  await writeSql(page, "SELECT pg_sleep(8) AS e2e_cancel_marker");
  await page.getByRole("button", { name: /^Run/ }).click();
  await expect.poll(() => activeSleeps("e2e_cancel_marker"), { timeout: 5_000 }).toBe(1);
  await page.getByRole("button", { name: "Cancel" }).click();
  await expect(page.getByTestId("run-cancelled")).toBeVisible();
  await expect.poll(() => activeSleeps("e2e_cancel_marker"), { timeout: 3_000 }).toBe(0);

  // Save with a {{status}} parameter.
  await writeSql(page, "SELECT id, status, total FROM data.orders WHERE status = {{status}} ORDER BY id LIMIT 5");
  await page.getByRole("button", { name: "Save as query…" }).click();
  await expect(page).toHaveURL(/\/queries\/new\?sql=/);
  const form = page.getByRole("form", { name: "New saved query" });
  await form.getByLabel("Name", { exact: true }).fill("E2E orders by status");
  await form.getByLabel("Description").fill("First five orders with a status");
  await expect(form.getByLabel("Parameter 1 name")).toHaveValue("status");
  await form.getByLabel("Parameter status label").fill("Status");
  await form.getByLabel("Parameter status default").fill("pending");
  await form.getByLabel("Share with the team").check();
  await page.screenshot({ path: "test-results/e2e/query-form.png", fullPage: true });
  await form.getByRole("button", { name: "Save query" }).click();
  // "Saved." once: its ?saved=1 leaves the URL, and the notice goes with the first run.
  await expect(page.getByTestId("transient-notice")).toHaveText("Saved.");
  await expect(page).toHaveURL(/\/queries\/[0-9a-f-]{36}$/);
  const id = /\/queries\/([0-9a-f-]{36})/.exec(page.url())![1]!;
  await expect(page.getByRole("heading", { name: "E2E orders by status" })).toBeVisible();

  // Run it from its page with a value.
  const shipped = await owner((sql) => sql<{ id: string }[]>`select id::text from data.orders where status = 'shipped' order by orders.id limit 5`);
  // The value counts once it is in React's state (the curl line is drawn from it): a fill before
  // hydration can be reset to the default, and the run would use that — so fill until it holds.
  await expect(async () => {
    await page.getByLabel("status").fill("shipped");
    await expect(page.getByTestId("curl-example")).toContainText("status=shipped", { timeout: 1000 });
  }).toPass();
  await page.getByRole("button", { name: "Run query" }).click();
  await expect(page.getByTestId("result-grid").locator("tbody tr")).toHaveCount(5);
  await expect(page.getByTestId("transient-notice")).toHaveCount(0);
  expect(await page.getByTestId("result-grid").locator("tbody tr td:nth-child(1)").allTextContents()).toEqual(shipped.map((row) => row.id));
  await expect(page.getByTestId("curl-example")).toContainText(`/api/v1/queries/${id}/results?status=shipped`);
  await page.screenshot({ path: "test-results/e2e/query-run.png", fullPage: true });

  // It is listed.
  await page.goto("/queries");
  await expect(page.getByTestId("query-list").getByRole("link", { name: "E2E orders by status" })).toBeVisible();
  await page.screenshot({ path: "test-results/e2e/query-list.png", fullPage: true });

  // A token with queries:run, made on the tokens page, runs it through the API.
  await page.goto("/settings/tokens");
  const tokenForm = page.getByRole("form", { name: "Create an API token" });
  await tokenForm.getByLabel("Name").fill("e2e saved query");
  await tokenForm.getByLabel(/queries:run/).check();
  await tokenForm.getByRole("button", { name: "Create token" }).click();
  const token = (await page.getByTestId("new-token-value").textContent())!;
  expect(token).toMatch(/^slc_/);

  const response = await request.get(`/api/v1/queries/${id}/results?status=shipped`, { headers: { authorization: `Bearer ${token}` } });
  expect(response.status()).toBe(200);
  const body = (await response.json()) as { columns: { name: string }[]; rows: unknown[][]; rowCount: number; truncated: boolean };
  expect(body.columns.map((column) => column.name)).toEqual(["id", "status", "total"]);
  expect(body.rowCount).toBe(5);
  expect(body.truncated).toBe(false);
  expect(body.rows.map((row) => String(row[0]))).toEqual(shipped.map((row) => row.id));
  expect(body.rows.every((row) => row[1] === "shipped")).toBe(true);

  // The default applies when no value is given; a bad value is a clear 400.
  const pending = await request.get(`/api/v1/queries/${id}/results`, { headers: { authorization: `Bearer ${token}` } });
  expect(((await pending.json()) as { rows: unknown[][] }).rows.every((row) => row[1] === "pending")).toBe(true);
  const unknown = await request.get(`/api/v1/queries/${id}/results?nope=1`, { headers: { authorization: `Bearer ${token}` } });
  expect(unknown.status()).toBe(400);
  expect(((await unknown.json()) as { error: { message: string } }).error.message).toMatch(/nope/);

  // Edit, then delete: the API answers 404 at once.
  await page.goto(`/queries/${id}`);
  await page.getByRole("link", { name: "Edit" }).click();
  const editForm = page.getByRole("form", { name: "Edit saved query" });
  await editForm.getByLabel("Name", { exact: true }).fill("E2E orders by status, edited");
  await editForm.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByRole("heading", { name: "E2E orders by status, edited" })).toBeVisible();
  await page.goto("/queries");
  page.once("dialog", (dialog) => void dialog.accept());
  await page
    .getByRole("row", { name: /E2E orders by status, edited/ })
    .getByRole("button", { name: "Delete" })
    .click();
  await expect(page.getByText("The query was deleted.")).toBeVisible();
  // Other specs' shared queries may be listed; this one is not.
  await expect(page.getByRole("link", { name: "E2E orders by status, edited" })).toHaveCount(0);
  const gone = await request.get(`/api/v1/queries/${id}/results`, { headers: { authorization: `Bearer ${token}` } });
  expect(gone.status()).toBe(404);
});

test("a typo in the first word is Postgres' syntax error at its position; a real write is still refused by name", async ({ page }) => {
  const analyst = await createE2EUser("analyst");
  await signIn(page, analyst, "/sql");
  await writeSql(page, "selec 1");
  await page.keyboard.press("ControlOrMeta+Enter");
  await expect(page.getByTestId("sql-error")).toHaveText('syntax error at or near "selec"');
  await expect(page.getByTestId("error-title")).toHaveText("Syntax error");
  await expect(page.getByRole("button", { name: "Show position 1 in the editor" })).toBeVisible();
  await expect(page.locator(".cm-sql-error")).toHaveText("selec");
  await page.screenshot({ path: "test-results/e2e/sql-typo.png", fullPage: true });

  // Control: a write keyword is not a typo — the read-only message, and no position.
  await writeSql(page, "insert into data.orders (id) values (1)");
  await page.keyboard.press("ControlOrMeta+Enter");
  await expect(page.getByTestId("sql-error")).toContainText("Only read queries may run here");
  await expect(page.getByTestId("error-title")).toHaveText("Only read queries");
  await expect(page.locator(".cm-sql-error")).toHaveCount(0);
  // The chip says it in words; the internal code is not on the page.
  await expect(page.getByRole("alert").filter({ hasText: "The query failed" })).not.toContainText("bad_request");
});

test("a saved query's parameters take the type Postgres infers; broken SQL is not saved; a cleared required value is refused", async ({ page }) => {
  test.setTimeout(120_000);
  const analyst = await createE2EUser("analyst");
  await signIn(page, analyst, "/queries/new");
  const form = page.getByRole("form", { name: "New saved query" });
  await form.getByLabel("Name", { exact: true }).fill("E2E typed parameters");
  await writeSql(page, "SELECT id, ordered_at FROM data.orders WHERE ordered_at >= {{since}} AND nope = 1 ORDER BY id LIMIT {{n}}");

  // Postgres cannot describe it yet (no column nope): the check says so, and the types wait.
  await expect(form.getByTestId("sql-check")).toContainText('column "nope" does not exist (line 1, column 74)');
  await expect(form.getByLabel("Parameter since type")).toHaveValue("text");
  // Saving refuses it, with the position, and keeps what was typed.
  await form.getByRole("button", { name: "Save query" }).click();
  await expect(form.getByText(/The query was not saved: column "nope" does not exist \(line 1, column 74\)/).first()).toBeVisible();
  await expect(page).toHaveURL(/\/queries\/new$/);
  await expect(form.getByLabel("Name", { exact: true })).toHaveValue("E2E typed parameters");
  await expect(page.getByTestId("sql-editor")).toContainText("AND nope = 1");
  await expect(page.locator(".cm-sql-error")).toHaveText("nope");

  // Fixed, Postgres infers the types: timestamptz from the comparison, bigint from LIMIT.
  await writeSql(page, "SELECT id, ordered_at FROM data.orders WHERE ordered_at >= {{since}} ORDER BY id LIMIT {{n}}");
  await expect(form.getByLabel("Parameter since type")).toHaveValue("timestamp");
  await expect(form.getByLabel("Parameter n type")).toHaveValue("integer");
  await expect(form.getByTestId("inferred-since")).toHaveText("Postgres: timestamp with time zone");
  await expect(form.getByTestId("inferred-n")).toHaveText("Postgres: bigint");
  await expect(form.getByTestId("sql-check")).toHaveText("Postgres accepts the SQL.");
  await page.screenshot({ path: "test-results/e2e/query-typed-parameters.png", fullPage: true });
  // The user can still choose: a chosen type stays through the next check.
  await form.getByLabel("Parameter n type").selectOption("number");
  await form.getByRole("button", { name: "Check SQL" }).click();
  await expect(form.getByTestId("inferred-n")).toHaveText("Postgres: bigint (suggests integer)");
  await expect(form.getByLabel("Parameter n type")).toHaveValue("number");
  await form.getByLabel("Parameter n type").selectOption("integer");
  await form.getByLabel("Parameter since default").fill("2000-01-01 00:00");
  await form.getByLabel("Parameter n default").fill("3");
  await form.getByRole("button", { name: "Save query" }).click();
  await expect(page).toHaveURL(/\/queries\/[0-9a-f-]{36}$/);

  // Control: with its defaults it runs.
  await page.getByRole("button", { name: "Run query" }).click();
  await expect(page.getByTestId("result-grid").locator("tbody tr")).toHaveCount(3);
  // Required means required: a cleared value is refused, not run with its default.
  await page.getByLabel("since").fill("");
  await page.getByRole("button", { name: "Run query" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "The query failed" })).toContainText(
    "since is required (an empty value does not fall back to its default)",
  );
  await expect(page.getByTestId("error-title")).toHaveText("Invalid parameter");
  await expect(page.getByTestId("result-grid")).toHaveCount(0);
});
