import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ExploreError } from "@/lib/explore/errors";
import { parseReadRequest, RESERVED_PARAMS } from "@/lib/explore/grammar";
import {
  buildExactCountQuery,
  buildJsonRowsQuery,
  buildPlannedCountQuery,
  buildReadQuery,
  type EmbeddedArray,
  type ReadQuery,
  type SqlQuery,
} from "@/lib/explore/sql";
import { catalog, catalogNames, people } from "@/tests/unit/explore/catalog-fixture";

/** Every bare word the builder writes; anything else in SQL text would be leaked request text. */
const KEYWORDS = new Set(
  "SELECT FROM WHERE AND OR NOT IN IS NULL TRUE FALSE UNKNOWN LIKE ILIKE ORDER BY ASC DESC NULLS FIRST LAST LIMIT OFFSET count EXPLAIN FORMAT JSON ANY ALL DISTINCT to_tsvector to_tsquery plainto_tsquery phraseto_tsquery websearch_to_tsquery to_jsonb AS to_json json_agg coalesce r EXISTS".split(
    " ",
  ),
);
const CASTS = new Set([
  "int2",
  "int4",
  "int8",
  "float4",
  "float8",
  "numeric",
  "bool",
  "text",
  "varchar",
  "bpchar",
  "name",
  "date",
  "timestamp",
  "timestamptz",
  "time",
  "timetz",
  "uuid",
  "json",
  "jsonb",
  "regconfig",
]);
const TOKEN =
  /\s+|'\[\]'|"((?:[^"]|"")*)"|\$(\d+)|::([a-z0-9]+)(?:\[\])?|([A-Za-z_]+)|(\d+)|(<>|>=|<=|@>|<@|&&|<<|>>|&<|&>|->>|->|-\|-|~\*|~|@@|[(),=<>*.])/y;

/**
 * Tokenizes SQL text and fails on anything that is not a catalog identifier, a placeholder, a
 * whitelisted cast or keyword, a LIMIT/OFFSET number (or EXPLAIN's `SELECT 1`), or punctuation.
 * Also checks that placeholders are exactly $1..$n for n params.
 */
function assertOnlyCatalogAndPlaceholders(query: SqlQuery): void {
  const seen = new Set<number>();
  let previousWord = "";
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < query.text.length) {
    const at = TOKEN.lastIndex;
    const m = TOKEN.exec(query.text);
    if (!m) throw new Error(`unexpected SQL text at ${at}: ${JSON.stringify(query.text.slice(at, at + 40))}`);
    const [, ident, placeholder, cast, word, number] = m;
    // Catalog names, or the builder's own embed aliases (_e1, _e2…).
    if (ident !== undefined) expect(catalogNames.has(ident.replaceAll('""', '"')) || /^_e\d+$/.test(ident), `identifier ${ident}`).toBe(true);
    else if (placeholder !== undefined) seen.add(Number(placeholder));
    else if (cast !== undefined) expect(CASTS.has(cast), `cast ${cast}`).toBe(true);
    else if (word !== undefined) expect(KEYWORDS.has(word), `word ${word}`).toBe(true);
    else if (number !== undefined) expect(["LIMIT", "OFFSET", "SELECT"]).toContain(previousWord);
    if (word !== undefined || number !== undefined) previousWord = word ?? "";
  }
  expect([...seen].sort((a, b) => a - b)).toEqual(query.params.map((_, i) => i + 1));
}

/** Thousands of runs are CPU-bound; on a busy machine they outlast vitest's 5 s default. */
const PROPERTY_TIMEOUT_MS = 120_000;

interface Outcome {
  error?: ExploreError;
  queries?: SqlQuery[];
  data?: ReadQuery;
}

/**
 * The JSON rows query adds request text only as the derived table's column list: each output
 * name one quoted identifier (at most 63 bytes, no NUL), around the data query unchanged.
 */
function assertJsonRowsWrapper(data: ReadQuery): void {
  const json = buildJsonRowsQuery(data);
  const head = "SELECT to_json(t)::text, count(*) OVER (), ";
  const body = ` FROM (${data.text}) t`;
  expect(json.text.startsWith(head)).toBe(true);
  expect(json.text.includes(body)).toBe(true);
  // The embedded-rows column: output names as quoted identifiers, the keys below them bound after
  // the data query's values, generated element aliases (_a1…), and the builder's own words only.
  const embedded = json.text.slice(head.length, json.text.indexOf(body));
  const outputNames = new Set(data.columns.map((c) => c.name));
  if (data.arrays.length === 0) expect(embedded).toBe("0");
  else {
    expect(embedded).toMatch(/^sum\(.*\) OVER \(\)$/);
    const words = new Set("sum OVER coalesce json_array_length json_array_elements SELECT FROM AS ARRAY text v".split(" "));
    const token = /\s+|t\."((?:[^"]|"")*)"|\$(\d+)|_a\d+|([A-Za-z_]+)|(0)|(#>|::|[()[\],+.])/y;
    const bound: number[] = [];
    while (token.lastIndex < embedded.length) {
      const at = token.lastIndex;
      const m = token.exec(embedded);
      if (!m) throw new Error(`unexpected embedded-rows text at ${at}: ${JSON.stringify(embedded.slice(at, at + 40))}`);
      const [, name, placeholder, word] = m;
      if (name !== undefined) expect(outputNames.has(name.replaceAll('""', '"')), `output name ${name}`).toBe(true);
      else if (placeholder !== undefined) bound.push(Number(placeholder));
      else if (word !== undefined) expect(words.has(word), `word ${word}`).toBe(true);
    }
    expect(bound).toEqual(json.params.slice(data.params.length).map((_, i) => data.params.length + i + 1));
  }
  // Bound in the order the arrays nest: a row's array by its keys below the output column, a nested one by its whole path.
  const keys = (arrays: readonly EmbeddedArray[], inRow: boolean): string[] =>
    arrays.flatMap((array) => [...(inRow ? array.path.slice(1) : array.path), ...keys(array.inner, false)]);
  expect(json.params).toEqual([...data.params, ...keys(data.arrays, true)]);
  const list = json.text.slice(json.text.indexOf(body) + body.length);
  const names = [...list.matchAll(/"((?:[^"]|"")*)"/g)].map((m) => m[1]!.replaceAll('""', '"'));
  expect(list).toBe(names.length === 0 ? "" : `(${names.map((n) => `"${n.replaceAll('"', '""')}"`).join(", ")})`);
  expect(names).toEqual(data.columns.map((c) => c.name));
  for (const name of names) {
    expect(new TextEncoder().encode(name).length).toBeLessThanOrEqual(63);
    expect(name.includes("\u0000")).toBe(false);
  }
}

/** Parse and build everything a request implies; only ExploreErrors may escape. */
function run(params: URLSearchParams, range?: string, prefer?: string): Outcome {
  try {
    const request = parseReadRequest({ params, range, prefer });
    const data = buildReadQuery(catalog, people, request, { rowCap: 500 });
    expect(data.limit).toBeLessThanOrEqual(500);
    return {
      data,
      queries: [
        data,
        buildExactCountQuery(catalog, people, request, { rowCap: 1000 }),
        buildPlannedCountQuery(catalog, people, request, { rowCap: 1000 }),
      ],
    };
  } catch (error) {
    if (!(error instanceof ExploreError)) throw error;
    return { error };
  }
}

function check(outcome: Outcome): void {
  if (outcome.error) {
    expect(outcome.error.status).toBeGreaterThanOrEqual(400);
    expect(outcome.error.status).toBeLessThan(500);
    expect(outcome.error.message.length).toBeGreaterThan(0);
    expect(typeof outcome.error.details.reason).toBe("string");
    return;
  }
  for (const query of outcome.queries ?? []) assertOnlyCatalogAndPlaceholders(query);
  if (outcome.data) assertJsonRowsWrapper(outcome.data);
}

const columnNames = catalog.schemas[0]!.relations[0]!.columns.map((c) => c.name);
const hostile = fc.constantFrom(
  "'",
  '"',
  ";",
  "--",
  "/*",
  "*/",
  "(",
  ")",
  ",",
  ".",
  ":",
  "::",
  "\\",
  "$1",
  "%",
  "*",
  " ",
  "\u0000",
  "\n",
  "drop table x",
  "or 1=1",
  "not.",
  "eq.",
  "in.(",
  "is.null",
  "and(",
  "or(",
  "😀",
  "é",
  "\u202e",
);
const fragment = fc.oneof(
  hostile,
  fc.constantFrom(...columnNames, ...RESERVED_PARAMS, "eq", "neq", "gt", "like", "ilike", "in", "is", "desc", "nullslast", "asc", "text", "int4"),
  fc.string({ unit: "grapheme", maxLength: 6 }),
  fc.string({ unit: "binary", maxLength: 4 }),
  fc.integer({ min: -5, max: 5000 }).map(String),
);
const soup = fc.array(fragment, { maxLength: 12 }).map((parts) => parts.join(""));
const key = fc.oneof(fc.constantFrom(...RESERVED_PARAMS, ...columnNames), soup);

describe("any request is a safe query or a 4xx", () => {
  it(
    "holds for raw query strings",
    () => {
      fc.assert(
        fc.property(fc.string({ unit: "binary", maxLength: 200 }), soup, (raw, more) => {
          check(run(new URLSearchParams(raw)));
          check(run(new URLSearchParams(`${more}=${raw}`)));
        }),
        { numRuns: 1500 },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    "holds for token soup in keys, values and headers",
    () => {
      fc.assert(
        fc.property(
          fc.array(fc.tuple(key, soup), { maxLength: 8 }),
          fc.option(fc.oneof(soup, fc.constantFrom("0-24", "items=5-", "3-1", "0-99999999999999999999")), { nil: undefined }),
          fc.option(fc.oneof(soup, fc.constantFrom("count=exact", "count=planned", "count=nope")), { nil: undefined }),
          (pairs, range, prefer) => {
            const params = new URLSearchParams();
            for (const [k, v] of pairs) params.append(k, v);
            check(run(params, range, prefer));
          },
        ),
        { numRuns: 3000 },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );
});

/** Grammar-shaped requests with hostile parts, so the builder's success paths see them too. */
const op = fc.constantFrom(
  ...["eq", "neq", "gt", "gte", "lt", "lte", "like", "ilike", "match", "imatch", "is", "in", "isdistinct"],
  ...["cs", "cd", "ov", "sl", "sr", "nxr", "nxl", "adj", "fts", "plfts(english)", "phfts", "wfts(simple)", "eq(any)", "like(all)", "gt(all)"],
);
const not = fc.constantFrom("", "not.");
const jsonPath = fc
  .tuple(
    fc.constantFrom("meta", "doc", "tags", "name", "id"),
    fc.array(fc.tuple(fc.constantFrom("->", "->>"), fc.oneof(soup, fc.constantFrom("0", "-1", "k"))), { minLength: 1, maxLength: 3 }),
  )
  .map(([c, steps]) => c + steps.map(([a, k]) => a + k).join(""));
const col = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...columnNames) }, { weight: 1, arbitrary: soup }, { weight: 1, arbitrary: jsonPath });
const listValue = fc.array(soup, { maxLength: 4 }).map((items) => `(${items.join(",")})`);
const opValue = fc
  .tuple(not, op, fc.oneof(soup, listValue, fc.constantFrom("null", "true", "1", "2024-01-01", "{a,b}", "{1,NULL}", "[1,5)", '{"k":1}')))
  .map(([n, o, v]) => `${n}${o}.${v}`);
const shapedPair: fc.Arbitrary<[string, string]> = fc.oneof(
  fc.tuple(col, opValue),
  fc.tuple(
    fc.constantFrom("or", "and", "not.or", "not.and"),
    fc.array(fc.tuple(col, opValue), { minLength: 1, maxLength: 4 }).map((cs) => `(${cs.map(([c, v]) => `${c}.${v}`).join(",")})`),
  ),
  fc.tuple(
    fc.constant("select"),
    fc
      .array(
        fc.tuple(
          fc.option(fc.oneof(soup, fc.string({ minLength: 60, maxLength: 70 })), { nil: null }),
          col,
          fc.constantFrom("", "::text", "::int8", "::jsonb"),
        ),
        {
          minLength: 1,
          maxLength: 3,
        },
      )
      .map((cs) => cs.map(([alias, c, k]) => (alias === null ? "" : `${alias}:`) + c + k).join(",")),
  ),
  fc.tuple(
    fc.constant("select"),
    fc
      .array(
        fc.constantFrom(
          "id",
          "pets(id,name)",
          "p:pets!owner(*)",
          "pets!pets_owner_fkey(name,people(id))",
          "pets(nope)",
          "pets!zz(id)",
          "people(id)",
          "pets!inner(id)",
          "p:pets!pets_owner_fkey!inner(name,...people(age))",
          "...pets(id)",
          "pets(id,owner:people!inner(name))",
          "p:pets()",
          "pets(id,people())",
          "pets(id,people(id,pets(id,name)))",
          "p:pets!inner(id,owner:people!inner(name,pets!inner(id)))",
          "pets(...people(pets(*)))",
        ),
        {
          minLength: 1,
          maxLength: 3,
        },
      )
      .map((cs) => cs.join(",")),
  ),
  // Parameters on an embed (filters, logic, order, window), named by relation or alias, or naming none.
  fc.tuple(fc.constantFrom("pets.name", "pets.id", "p.name", "p.id", "pets.people.age", "pets.people.pets.id", "p.owner.pets.name", "x.id"), soup),
  fc.tuple(fc.constantFrom("pets", "p", "pets.people", "or"), fc.constantFrom("is.null", "not.is.null", "eq.1", "(p.is.null,pets.not.is.null)")),
  fc.tuple(fc.constantFrom("pets.or", "p.not.and"), fc.constantFrom("(id.eq.1,name.like.*a*)", "(owner.is.null)", "(nope.eq.1)", "(")),
  fc.tuple(
    fc.constantFrom("pets.order", "p.order", "pets.people.pets.order"),
    fc.constantFrom("id.desc", "name.nullsfirst", "people(age).desc", "nope", ""),
  ),
  fc.tuple(
    fc.constantFrom("pets.limit", "pets.offset", "p.limit", "pets.people.pets.limit", "p.owner.pets.offset"),
    fc.constantFrom("0", "2", "99999", "-1", "x"),
  ),
  fc.tuple(fc.constant("order"), fc.constantFrom("p(name).desc", "pets(id)", "x(id)")),
  fc.tuple(
    fc.constant("order"),
    fc
      .array(fc.tuple(col, fc.constantFrom("", ".desc", ".asc.nullsfirst", ".nullslast")), { minLength: 1, maxLength: 3 })
      .map((cs) => cs.map(([c, k]) => c + k).join(",")),
  ),
);

describe("grammar-shaped requests with hostile parts", () => {
  it(
    "are safe queries or 4xx",
    () => {
      fc.assert(
        fc.property(fc.array(shapedPair, { maxLength: 5 }), (pairs) => {
          const params = new URLSearchParams();
          // Repeating select/order is a (tested) error of its own; here keep the first of each.
          for (const [k, v] of pairs) if (!(/^(?:select|.*\b(?:order|limit|offset))$/.test(k) && params.has(k))) params.append(k, v);
          check(run(params));
        }),
        { numRuns: 3000 },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );
});

/** PostgREST quoting for a value inside or=(…) and in.(…). */
const quote = (value: string) => `"${value.replace(/[\\"]/g, "\\$&")}"`;
const textColumns = ["name", "email", "my col", 'we"ird', "a.b", "select"];
const anyText = fc.string({ unit: "grapheme", maxLength: 30 }).filter((s) => !s.includes("\u0000"));

describe("well-formed requests over text columns", () => {
  it(
    "bind every value verbatim, in order",
    () => {
      const column = fc.constantFrom(...textColumns);
      const filter = fc.record({
        column,
        op: fc.constantFrom("eq", "neq", "gt", "like", "ilike", "in"),
        negated: fc.boolean(),
        values: fc.array(anyText, { minLength: 1, maxLength: 4 }),
        inLogic: fc.boolean(),
      });
      fc.assert(
        fc.property(fc.array(filter, { minLength: 1, maxLength: 6 }), (filters) => {
          const params = new URLSearchParams();
          const expected: string[] = [];
          for (const f of filters) {
            const values = f.op === "in" ? f.values : f.values.slice(0, 1);
            const bound = f.op === "like" || f.op === "ilike" ? values.map((v) => v.replaceAll("*", "%")) : values;
            expected.push(...bound);
            const prefix = f.negated ? "not." : "";
            // A column named like a reserved key is only reachable inside a logic group.
            const inLogic = f.inLogic || (RESERVED_PARAMS as readonly string[]).includes(f.column);
            const value = f.op === "in" ? `(${values.map(quote).join(",")})` : inLogic ? quote(values[0]!) : values[0]!;
            if (inLogic) params.append("and", `(${quote(f.column)}.${prefix}${f.op}.${value})`);
            // A dotted key addresses an embed (`customers.country`): a column with a dot is quoted, as in PostgREST.
            else params.append(/[".]/.test(f.column) ? quote(f.column) : f.column, `${prefix}${f.op}.${value}`);
          }
          const outcome = run(params);
          expect(outcome.error).toBeUndefined();
          const [data] = outcome.queries!;
          expect(data!.params).toEqual(expected);
          check(outcome);
        }),
        { numRuns: 1500 },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );
});
