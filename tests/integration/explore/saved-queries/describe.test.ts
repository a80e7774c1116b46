import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiError } from "@/lib/core/errors";
import { closePools } from "@/lib/db/clients";
import { resetEnvCache } from "@/lib/env";
import { createSavedQuery, describeSavedQuery, updateSavedQuery } from "@/lib/explore/saved-queries";
import { createUser, type TestUser } from "@/tests/support/auth";
import { createTestDatabase, type TestDatabase } from "@/tests/support/database";

/**
 * Saved queries against real Postgres: each `{{name}}`'s type comes from Postgres describing
 * the statement (nothing runs), and saving refuses SQL Postgres refuses, with the position in
 * the text the user wrote.
 */
let db: TestDatabase;
let analyst: TestUser;

beforeAll(async () => {
  db = await createTestDatabase("saved-describe");
  Object.assign(process.env, db.envVars());
  resetEnvCache();
  analyst = await createUser(db, { role: "analyst" });
});
afterAll(async () => {
  await closePools(1);
  await db.drop();
});

const actor = () => ({ userId: analyst.id, role: "analyst" as const });
const savedCount = async () => Number((await db.owner`select count(*)::int as n from app.saved_queries`)[0]!.n);

describe("describeSavedQuery", () => {
  it("infers timestamptz from a comparison with a timestamptz column and bigint from LIMIT", async () => {
    const inferred = await describeSavedQuery("select id from data.orders\n where ordered_at >= {{since}} and status = {{status}}\n limit {{n}}");
    expect(inferred).toEqual([
      { name: "since", type: "timestamp", pgType: "timestamp with time zone" },
      { name: "status", type: "text", pgType: "text" },
      { name: "n", type: "integer", pgType: "bigint" },
    ]);
  });

  it("one name used twice is one parameter; one nothing places is text", async () => {
    expect(await describeSavedQuery("select {{x}} is null, {{d}} < current_date, {{d}}")).toEqual([
      { name: "x", type: "text", pgType: "text" },
      { name: "d", type: "date", pgType: "date" },
    ]);
  });

  it("SQL whose bare placeholders Postgres cannot place is described with the declared types instead", async () => {
    const numbers = [
      { name: "a", type: "number" as const },
      { name: "b", type: "number" as const },
    ];
    // Bare, $1 + $2 is "operator is not unique"; cast as it runs, it is fine: nothing inferred, no error.
    expect(await describeSavedQuery("select {{a}} + {{b}} as s", numbers)).toEqual([]);
    // Control: with types under which it cannot run either (text + text), Postgres' refusal is the answer.
    await expect(describeSavedQuery("select {{a}} + {{b}} as s", [])).rejects.toThrow(/operator is not unique: unknown \+ unknown/);
  });
});

describe("saving validates the SQL with Postgres", () => {
  it("refuses a missing column with its position in the SQL as written, and saves nothing", async () => {
    const before = await savedCount();
    const sql = "select id from data.orders\n where ordered_at >= {{since}} and nope = 1";
    const error = await createSavedQuery(actor(), {
      name: "broken",
      sql,
      parameters: [{ name: "since", type: "timestamp" }],
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    const apiError = error as ApiError;
    expect(apiError.status).toBe(400);
    expect(apiError.message).toBe('The query was not saved: column "nope" does not exist (line 2, column 36)');
    expect(apiError.details).toMatchObject({ field: "sql", position: sql.indexOf("nope") + 1, line: 2, column: 36 });
    expect(await savedCount()).toBe(before);
  });

  it("refuses a syntax error and a write the same way", async () => {
    await expect(createSavedQuery(actor(), { name: "typo", sql: "selec {{x}}", parameters: [{ name: "x", type: "text" }] })).rejects.toThrow(
      /not saved: syntax error at or near "selec" \(line 1, column 1\)/,
    );
    await expect(createSavedQuery(actor(), { name: "write", sql: "delete from data.orders" })).rejects.toThrow(/not saved: Only read queries/);
  });

  it("checks the SQL as it will run, with each value cast to its declared type", async () => {
    const sql = "select id from data.orders where ordered_at >= {{since}}";
    await expect(createSavedQuery(actor(), { name: "mistyped", sql, parameters: [{ name: "since", type: "boolean" }] })).rejects.toThrow(
      /not saved: operator does not exist: timestamp with time zone >= boolean \(line 1, column 45\)/,
    );
    // A problem of the SQL itself is said before one of the declared types.
    await expect(
      createSavedQuery(actor(), { name: "both", sql: `${sql} and nope = 1`, parameters: [{ name: "since", type: "boolean" }] }),
    ).rejects.toThrow(/not saved: column "nope" does not exist/);
    // Control: a sum Postgres can only type through the declared types saves.
    const numbers = [
      { name: "a", type: "number" as const },
      { name: "b", type: "number" as const },
    ];
    await expect(createSavedQuery(actor(), { name: "sum", sql: "select {{a}} + {{b}} as s", parameters: numbers })).resolves.toMatchObject({
      name: "sum",
    });
  });

  it("control: a valid query saves, and an update to broken SQL is refused while the stored SQL stays", async () => {
    const before = await savedCount();
    const saved = await createSavedQuery(actor(), {
      name: "recent orders",
      sql: "select id from data.orders where ordered_at >= {{since}} limit {{n}}",
      parameters: [
        { name: "since", type: "timestamp" },
        { name: "n", type: "integer", default: 10 },
      ],
    });
    expect(await savedCount()).toBe(before + 1);
    await expect(updateSavedQuery(actor(), saved.id, { sql: "select nope from data.orders" })).rejects.toThrow(/column "nope" does not exist/);
    const [row] = await db.owner`select sql from app.saved_queries where id = ${saved.id}`;
    expect(row!.sql).toBe(saved.sql);
    // Changing only the name does not need the database's opinion of the SQL.
    await expect(updateSavedQuery(actor(), saved.id, { name: "renamed" })).resolves.toMatchObject({ name: "renamed" });
  });
});
