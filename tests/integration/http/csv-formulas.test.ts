import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closePools } from "@/lib/db/clients";
import { createSavedQuery } from "@/lib/explore/saved-queries";
import { startAppServer, type AppServer } from "@/tests/support/app-server";
import { signIn } from "@/tests/support/auth";
import { createTestDatabase, type TestDatabase } from "@/tests/support/database";
import { createCaller, explorerEnv, type TestCaller } from "@/tests/integration/explore/support/http-auth";

/**
 * CSV formula injection (issue 13, item 5): every export — table API, grid download, SQL API,
 * saved query — writes a cell or header beginning with = + - @ tab or CR with a single quote in
 * front, quoted, so a spreadsheet shows text instead of running it; `Accept: text/csv;
 * formulas=raw` gives the values as they are.
 */
let db: TestDatabase;
let app: AppServer;
let analyst: TestCaller;
let cookie: string;
let queryId: string;

const EVIL = ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx", "plain", "-42", "a=b"];
// What a spreadsheet gets: the dangerous ones neutralised, a negative number and the rest as they were.
const ESCAPED = [`"'=HYPERLINK(""http://x"",""y"")"`, `"'+1+1"`, `"'-2+3"`, `"'@SUM(A1)"`, `"'\tx"`, `"'\rx"`, "plain", "-42", "a=b"];
const RAW = [`"=HYPERLINK(""http://x"",""y"")"`, "+1+1", "-2+3", "@SUM(A1)", `"\tx"`, `"\rx"`, "plain", "-42", "a=b"];
const HEADER_ESCAPED = `id,"'=cmd"`;
const HEADER_RAW = `id,=cmd`;

beforeAll(async () => {
  db = await createTestDatabase("csv_formulas");
  await db.owner.unsafe(`create table data.evil (id int primary key, "=cmd" text)`);
  for (const [i, value] of EVIL.entries()) await db.owner`insert into data.evil values (${i + 1}, ${value})`;
  app = await startAppServer(explorerEnv(db));
  analyst = await createCaller(db, "analyst", ["tables:read", "sql:run", "queries:run"]);
  const { createUser } = await import("@/tests/support/auth");
  const browser = await createUser(db, { role: "analyst" });
  cookie = await signIn(app.url, browser.email, browser.password);
  queryId = (
    await createSavedQuery({ userId: analyst.userId, role: "analyst" }, { name: "evil", sql: `select id, "=cmd" from data.evil order by id` })
  ).id;
}, 60_000);
afterAll(async () => {
  await app?.stop();
  await closePools(1);
  await db?.drop();
});

/** The lines of a CSV body; values here hold no line breaks but the CR case, which is quoted. */
function records(csv: string): string[] {
  return csv.split("\r\n").filter(Boolean);
}

function expectCells(csv: string, escaped: boolean) {
  const lines = records(csv);
  expect(lines[0]).toBe(escaped ? HEADER_ESCAPED : HEADER_RAW);
  expect(lines.slice(1)).toEqual((escaped ? ESCAPED : RAW).map((cell, i) => `${i + 1},${cell}`));
}

const exports: Array<[string, (accept: string) => Promise<Response>]> = [
  ["table API", (accept) => fetch(`${app.url}/api/v1/tables/data.evil?order=id`, { headers: { ...analyst.headers, accept } })],
  [
    "SQL API",
    (accept) =>
      fetch(`${app.url}/api/v1/sql`, {
        method: "POST",
        headers: { ...analyst.headers, accept, "content-type": "application/json" },
        body: JSON.stringify({ sql: `select id, "=cmd" from data.evil order by id` }),
      }),
  ],
  ["saved query", (accept) => fetch(`${app.url}/api/v1/queries/${queryId}/results`, { headers: { ...analyst.headers, accept } })],
];

describe("CSV exports neutralise formulas", () => {
  for (const [name, get] of exports) {
    it(`${name}: escaped by default, raw on request`, async () => {
      const escaped = await get("text/csv");
      expect(escaped.status).toBe(200);
      expectCells(await escaped.text(), true);
      const raw = await get("text/csv; formulas=raw");
      expect(raw.status).toBe(200);
      expectCells(await raw.text(), false);
    });
  }

  it("grid download (a browser link): escaped", async () => {
    const response = await fetch(`${app.url}/explore/data.evil/export?order=id`, { headers: { cookie } });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/csv/);
    expectCells(await response.text(), true);
  });
});
