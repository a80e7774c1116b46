import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { hash } from "@node-rs/argon2";
import { expect, test, type Browser, type Page } from "@playwright/test";
import postgres from "postgres";
import { createToken } from "@/tests/e2e/support/users";

/**
 * The admin dashboard in a real Chromium against the production build: live
 * pool numbers under load, the admin-only guard, and session revocation.
 */
const ROOT = path.resolve(import.meta.dirname, "../..");
type E2eState = { baseUrl: string; databaseUrl: string; envVars: Record<string, string> };
// Read once: the file is shared by every run on this machine and a later global setup rewrites it.
let cachedState: E2eState | null = null;
const state = (): E2eState => (cachedState ??= JSON.parse(readFileSync(path.join(ROOT, "test-results/e2e-state.json"), "utf8")) as E2eState);
// Generated per run: throwaway test users, and no password literal in the repository.
const PASSWORD = randomBytes(18).toString("base64url");

interface Account {
  id: string;
  email: string;
}

async function createUser(role: "viewer" | "analyst" | "admin"): Promise<Account> {
  const sql = postgres(state().databaseUrl, { max: 1, onnotice: () => {} });
  try {
    const email = `e2e-${role}-${Math.random().toString(36).slice(2, 8)}@example.test`;
    const [row] = await sql<
      { id: string }[]
    >`insert into app.users (email, role, password_hash) values (${email}, ${role}, ${await hash(PASSWORD)}) returning id`;
    return { id: row!.id, email };
  } finally {
    await sql.end({ timeout: 2 });
  }
}

async function signIn(browser: Browser, account: Account): Promise<Page> {
  const context = await browser.newContext({ baseURL: state().baseUrl });
  const page = await context.newPage();
  await page.goto("/sign-in");
  await page.getByLabel("E-mail").fill(account.email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).not.toHaveURL(/\/sign-in/);
  return page;
}

/** Concurrent slow statements through the SQL API until stopped or the tokens' rate limit runs out. */
function startLoad(tokens: string[], workersPerToken: number) {
  let stopped = false;
  const counts = { ok: 0, limited: 0, other: 0 };
  const worker = async (token: string) => {
    while (!stopped) {
      const response = await fetch(`${state().baseUrl}/api/v1/sql`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({ sql: "select pg_sleep(1.5)" }),
      }).catch(() => null);
      await response?.arrayBuffer().catch(() => undefined);
      if (response?.status === 200) counts.ok++;
      else if (response?.status === 429) {
        counts.limited++;
        return; // this token's minute is used up
      } else {
        counts.other++;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  };
  const done = Promise.all(tokens.flatMap((token) => Array.from({ length: workersPerToken }, () => worker(token))));
  return {
    counts,
    stop: async () => {
      stopped = true;
      await done;
    },
  };
}

const inUse = (page: Page, role: string) => page.getByTestId(`in-use-${role}`).innerText().then(Number);

test.describe.configure({ mode: "serial" });

let admin: Account;
let viewer: Account;
let analyst: Account;

test.beforeAll(async () => {
  [admin, viewer, analyst] = await Promise.all([createUser("admin"), createUser("viewer"), createUser("analyst")]);
});

test("under load the admin sees connections in use, and back to 0 after", async ({ browser }) => {
  test.setTimeout(120_000);
  const tokens = await Promise.all([1, 2, 3].map(() => createToken(analyst.email, "sql:run", "e2e-load")));
  const page = await signIn(browser, admin);
  await page.goto("/admin");
  // The first answer can take several seconds on a busy two-core machine.
  await expect(page.getByRole("heading", { name: "readonly pool" })).toBeVisible({ timeout: 30_000 });
  await expect(page.getByRole("link", { name: "Dashboard" })).toHaveAttribute("aria-current", "page");
  await expect.poll(() => inUse(page, "readonly"), { timeout: 15_000 }).toBe(0);

  const load = startLoad(tokens, 6);
  try {
    await expect.poll(() => inUse(page, "readonly"), { timeout: 20_000, intervals: [250] }).toBeGreaterThan(0);
    // Let the charts take a couple of samples under load before the picture.
    await page.waitForTimeout(6000);
    await page.screenshot({ path: "test-results/e2e/admin-dashboard-under-load.png", fullPage: true });
  } finally {
    await load.stop();
  }
  expect(load.counts.ok).toBeGreaterThan(0);

  for (const role of ["readonly", "app", "admin"]) {
    await expect.poll(() => inUse(page, role), { timeout: 15_000 }).toBe(0);
  }
  await expect(page.getByTestId("fleet-row").first()).toBeVisible();
  await expect(page.getByTestId("server-row-readonly").first()).toBeVisible();
  await expect(page.getByTestId("pool-charts").locator("svg.recharts-surface").first()).toBeVisible();
  await page.screenshot({ path: "test-results/e2e/admin-dashboard-after-load.png", fullPage: true });
  await page.context().close();
});

test("a viewer gets 403 on /admin and on the JSON; no credentials get 401", async ({ browser, request }) => {
  const page = await signIn(browser, viewer);
  const response = await page.goto("/admin");
  expect(response?.status()).toBe(403);
  await expect(page.getByText("403 · Not allowed")).toBeVisible();
  await expect(page.getByTestId("dashboard")).toHaveCount(0);
  const json = await page.request.get("/api/admin/stats");
  expect(json.status()).toBe(403);
  expect((await json.json()).error.code).toBe("forbidden");
  expect((await request.get(`${state().baseUrl}/api/admin/stats`)).status()).toBe(401);
  await page.context().close();
});

test("the admin's token and audit pages list and filter", async ({ browser }) => {
  await createToken(viewer.email, "tables:read", "e2e-load");
  const page = await signIn(browser, admin);
  await page.goto("/admin/tokens");
  const row = page.getByRole("row").filter({ hasText: viewer.email });
  await expect(row).toHaveCount(1);
  await page.screenshot({ path: "test-results/e2e/admin-tokens.png", fullPage: true });
  page.once("dialog", (dialog) => void dialog.accept());
  await row.getByRole("button", { name: /Revoke/ }).click();
  await expect(page.getByRole("row").filter({ hasText: viewer.email })).toHaveCount(0);

  await page.goto(`/admin/audit?action=token.revoke&user=${encodeURIComponent(admin.email)}`);
  // One line in words, with the token and both users named (not ids).
  await expect(page.getByTestId("audit-summary").first()).toHaveText(`${admin.email} revoked token “e2e-load” of ${viewer.email}`);
  await expect(page.getByTestId("audit-position")).toHaveText(/^1–\d+ of \d+ events? · page 1 of \d+$/);
  await page.screenshot({ path: "test-results/e2e/admin-audit.png", fullPage: true });
  await page.goto("/admin/audit?from=2026-13-40");
  await expect(page.getByRole("alert").filter({ hasText: "use a date like" })).toBeVisible();
  await page.context().close();
});

test("revoking a session on the admin's users page signs that browser out on its next click", async ({ browser }) => {
  const victim = await signIn(browser, viewer);
  await victim.goto("/settings/tokens");
  await expect(victim.getByRole("link", { name: "Password" })).toBeVisible();

  const page = await signIn(browser, admin);
  await page.goto(`/admin/users/${viewer.id}`);
  const sessions = page.getByRole("table", { name: "Sessions" });
  const before = await sessions.getByRole("button", { name: "Revoke", exact: true }).count();
  expect(before).toBeGreaterThan(0);
  // Revoke every listed session of the viewer one by one (earlier tests signed it in too).
  for (let i = 0; i < before; i++) {
    await sessions.getByRole("button", { name: "Revoke", exact: true }).first().click();
    await expect(sessions.getByRole("button", { name: "Revoke", exact: true })).toHaveCount(before - i - 1);
  }

  await victim.getByRole("link", { name: "Password" }).click();
  await expect(victim).toHaveURL(/\/sign-in/);
  await page.context().close();
  await victim.context().close();
});
