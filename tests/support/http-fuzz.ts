import net from "node:net";
import fc from "fast-check";

/**
 * Generated HTTP requests for the fuzz suite (tests/integration/http/fuzz.test.ts): fragments of
 * the grammars the server speaks — PostgREST's read grammar, SQL bodies, saved-query parameters,
 * Range / Prefer / Accept, Authorization — mixed with what breaks parsers: percent-escapes good and
 * bad, NULs and control characters, non-ASCII, huge values, deep `or=()` nesting, odd methods.
 * Every request is written raw over a socket of its own, so nothing a client library would
 * refuse or repair is left out.
 */
export interface FuzzRequest {
  method: string;
  target: string;
  headers: Array<[string, string]>;
  body: string | null;
}

export interface FuzzContext {
  token: string;
  cookie: string;
  queryId: string;
}

const pick = <T>(...values: T[]) => fc.constantFrom(...values);

/** Text that breaks things: escapes, control characters, quotes, non-ASCII, long runs. */
const nasty = fc.oneof(
  fc.string({ maxLength: 12 }),
  pick("%ZZ", "%", "%0", "%00", "%2e%2e", "..", "%2F", "%E0%A4%A", "%C3%BC", "ü", "✓", "😀", "\u0000", "'", '"', "\\", "`", ";", "--", "/*", "*/"),
  pick("null", "NULL", "true", "-1", "0", "1e309", "NaN", "Infinity", "9223372036854775808", "-0", "0x1f", " ", ""),
  fc.integer({ min: 1, max: 6 }).map((n) => "x".repeat(10 ** n)),
);

const column = pick("id", "status", "total", "customer_id", "ordered_at", "email", "full_name", "nope", "ID", '"id"', "id::text", "a:id", "*", "");
const relation = pick(
  "data.orders",
  "data.customers",
  "data.events",
  "orders",
  "data.nope",
  "app.users",
  "pg_catalog.pg_class",
  "data.%6Frders",
  "data.orders%3B",
  "x.y.z",
);
const operator = pick("eq", "neq", "gt", "gte", "lt", "lte", "like", "ilike", "in", "is", "not.eq", "not.in", "fts", "cs", "nope", "");
const value = fc.oneof(nasty, pick("(1,2,3)", "()", "(", "null", "true", "2024-01-01", "*abc*", '"a,b"'));

/** `or=(…)` nested up to `depth` levels, sometimes unbalanced. */
const logic = (depth: number): fc.Arbitrary<string> =>
  depth <= 0
    ? fc.tuple(column, operator, value).map(([c, o, v]) => `${c}.${o}.${v}`)
    : fc.oneof(
        fc.tuple(column, operator, value).map(([c, o, v]) => `${c}.${o}.${v}`),
        fc
          .tuple(pick("or", "and", "not.or", "not.and"), fc.array(logic(depth - 1), { minLength: 1, maxLength: 3 }))
          .map(([k, parts]) => `${k}(${parts.join(",")})`),
      );

const deepOr = fc.integer({ min: 1, max: 200 }).map((n) => `or=${"or(".repeat(n)}id.eq.1${")".repeat(n)}`.replace(/^or=or/, "or="));

const queryPart = fc.oneof(
  fc.tuple(column, operator, value).map(([c, o, v]) => `${encodeURIComponent(c)}=${o}.${encodeURIComponent(v)}`),
  fc.tuple(column, operator, value).map(([c, o, v]) => `${c}=${o}.${v}`),
  fc.array(column, { maxLength: 5 }).map((cs) => `select=${cs.join(",")}`),
  fc.tuple(column, pick("asc", "desc", "desc.nullslast", "nullsfirst", "x", "")).map(([c, d]) => `order=${c}.${d}`),
  fc.tuple(pick("limit", "offset"), value).map(([k, v]) => `${k}=${encodeURIComponent(v)}`),
  logic(3).map((l) => `or=(${l})`),
  logic(3).map((l) => `and=(${encodeURIComponent(l)})`),
  deepOr,
  fc.tuple(nasty, nasty).map(([k, v]) => `${k}=${v}`),
  // Embedding: !inner, hints, spreads, and parameters addressed to an embed by its path.
  pick(
    "select=id,customers!inner(id)",
    "select=id,...customers(full_name)",
    "select=*,...orders(*)",
    "select=id,c:customers!orders_customer_id_fkey!inner(country,orders(id))",
    "select=id,orders!inner(id)",
  ),
  fc
    .tuple(
      pick("customers", "orders", "c", "x", "customers.orders"),
      pick(".country", ".order", ".limit", ".offset", ".or", ".not.and", ".id"),
      value,
    )
    .map(([path, key, v]) => `${path}${key}=${encodeURIComponent(v)}`),
  pick("order=customers(full_name).desc", "order=orders(id)", "order=x(y).nullsfirst", "order=c(country)"),
);
const query = fc.array(queryPart, { maxLength: 5 }).map((parts) => (parts.length ? `?${parts.join("&")}` : ""));

const sqlText = fc.oneof(
  pick(
    "select 1",
    "select * from data.orders limit 5",
    "select id, status from data.orders where id = $1::int",
    "select pg_sleep(0.05)",
    "select repeat('x', 1000) from generate_series(1, 100)",
    "select * from app.users",
    "delete from data.orders",
    "select 1; select 2",
    "select query from pg_stat_activity",
    "select set_config('statement_timeout', '0', false)",
    "select 1/0",
    "select $1",
    "select '\\x00'::bytea",
    "explain analyze select 1",
    "with x as (select 1) select * from x",
    "select * from generate_series(1, 100000)",
    "",
    " ",
  ),
  nasty,
  fc.tuple(pick("select ", "SELECT ", "with ", "values ", "table "), nasty).map(([a, b]) => a + b),
);
const jsonValueArb = fc.oneof(
  nasty,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(nasty, { maxLength: 3 }),
  fc.object({ maxDepth: 2 }),
);
const sqlBody = fc.oneof(
  fc
    .record({
      sql: sqlText,
      params: fc.option(fc.array(jsonValueArb, { maxLength: 4 }), { nil: undefined }),
      maxRows: fc.option(fc.oneof(fc.integer(), nasty), { nil: undefined }),
    })
    .map((b) => JSON.stringify(b)),
  nasty,
  pick("{", "[]", "null", '{"sql":1}', '{"sql":null}', "{}", '{"sql":"select 1","extra":true}'),
  fc.integer({ min: 1, max: 5 }).map((n) => JSON.stringify({ sql: "select '" + "y".repeat(10 ** n) + "'" })),
);
const savedParams = fc.dictionary(pick("n", "s", "d", "l", "x", "", "__proto__"), jsonValueArb, { maxKeys: 4 });

const authorization = (ctx: FuzzContext) =>
  fc.oneof(
    fc.constant(`Bearer ${ctx.token}`),
    fc.constant(`Bearer ${ctx.token}`),
    nasty.map((t) => `Bearer ${t}`),
    pick("Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "bearer slc_", `Bearer slc_${"A".repeat(43)}`, "Token x", "Bearer \t slc_x"),
    nasty,
  );

/** A header value as a raw request can carry it; long ones are the `x-big` header's job. */
const sanitizeHeader = (value: string) => value.replace(/[\r\n]/g, " ").slice(0, 4000);

const headers = (ctx: FuzzContext) =>
  fc
    .record(
      {
        authorization: authorization(ctx),
        cookie: fc.oneof(
          fc.constant(ctx.cookie),
          nasty.map((v) => `next-auth.session-token=${v}`),
        ),
        accept: pick(
          "application/json",
          "text/csv",
          "text/csv; formulas=raw",
          "text/csv;q=0.5, application/json;q=0.9",
          "*/*",
          "text/html",
          "application/vnd.pgrst.object+json",
          "x/y;q=abc",
          "",
        ),
        range: fc.oneof(pick("0-9", "5-", "-5", "10-0", "0-999999999999", "items=0-9", "bytes=0-1", ""), nasty),
        prefer: fc.oneof(
          pick("count=exact", "count=planned", "count=estimated", "count=nope", "return=representation", "count=exact, count=planned"),
          nasty,
        ),
        origin: pick("http://evil.example", "null", ""),
        "next-action": fc.oneof(nasty, fc.string({ unit: fc.constantFrom(..."0123456789abcdef"), minLength: 40, maxLength: 42 })),
        "x-forwarded-host": pick("evil.example", "127.0.0.1"),
        "x-forwarded-for": pick("1.2.3.4", "::1", "not-an-ip", "1.2.3.4, 5.6.7.8"),
      },
      { requiredKeys: [] },
    )
    .chain((h) =>
      // A huge header now and then (past 16 kB Node refuses the request: 431), not on most requests.
      fc
        .oneof(
          { arbitrary: fc.constant(null), weight: 15 },
          { arbitrary: fc.integer({ min: 2, max: 4 }).map((n) => "b".repeat(2 * 10 ** n)), weight: 1 },
        )
        .map((big) => ({ ...h, ...(big ? { "x-big": big } : {}) })),
    )
    .map((h) => Object.entries(h).map(([k, v]) => [k, k === "x-big" ? v : sanitizeHeader(v)] as [string, string]));

const segment = fc.oneof(nasty, pick("api", "v1", "tables", "sql", "queries", "results", "me", "explore", "admin", "settings", "health", "auth"));

export function fuzzRequest(ctx: FuzzContext): fc.Arbitrary<FuzzRequest> {
  const get = (target: fc.Arbitrary<string>) => fc.record({ method: pick("GET", "GET", "GET", "HEAD"), target, body: fc.constant(null) });
  const shapes = fc.oneof(
    get(fc.tuple(relation, query).map(([r, q]) => `/api/v1/tables/${r}${q}`)),
    get(fc.tuple(relation, query).map(([r, q]) => `/explore/${r}/export${q}`)),
    get(fc.tuple(relation, query).map(([r, q]) => `/explore/${r}${q}`)),
    get(query.map((q) => `/api/v1/tables${q}`)),
    fc.record({
      method: pick("POST", "POST", "PUT", "DELETE", "PATCH", "GET"),
      target: fc.constant("/api/v1/sql"),
      body: sqlBody.map((b): string | null => b),
    }),
    fc.record({
      method: pick("GET", "POST", "HEAD"),
      target: fc
        .tuple(fc.oneof(fc.constant(ctx.queryId), nasty), savedParams)
        .map(
          ([id, params]) => `/api/v1/queries/${id}/results?${new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)])).toString()}`,
        ),
      body: savedParams.map((params): string | null => JSON.stringify({ params })),
    }),
    get(fc.oneof(nasty, pick("/explore/ü", "//evil.example", "/\\evil.example", "https://evil.example/")).map((c) => `/sign-in?callbackUrl=${c}`)),
    get(
      pick(
        "/api/v1/me",
        "/api/health",
        "/api/health/ready",
        "/api/v1/openapi.json",
        "/api/metrics",
        "/api/admin/stats",
        "/",
        "/explore",
        "/sql",
        "/queries",
        "/admin",
      ),
    ),
    fc.record({
      method: pick("GET", "POST", "TRACE", "OPTIONS", "PROPFIND", "DELETE", "CONNECT"),
      target: fc.array(segment, { minLength: 1, maxLength: 6 }).map((s) => `/${s.join("/")}`),
      body: fc.option(nasty, { nil: null }),
    }),
    fc.record({
      method: fc.constant("POST"),
      target: pick("/settings/tokens", "/sql", "/queries", "/api/auth/callback/credentials", "/api/auth/signout"),
      body: fc.option(nasty, { nil: null }),
    }),
  );
  return fc.tuple(shapes, headers(ctx)).map(([shape, hs]) => ({ ...shape, headers: hs }));
}

export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
  ms: number;
}

/** Encodes a target so that only what a raw request line cannot carry (space, CR, LF, NUL) is escaped. */
function requestLineTarget(target: string): string {
  return target.replace(/[\s\u0000]/g, (c) => encodeURIComponent(c));
}

export function sendRaw(port: number, request: FuzzRequest, timeoutMs: number): Promise<RawAnswer> {
  const started = performance.now();
  const body = request.body === null ? null : Buffer.from(request.body);
  const lines = [`${request.method} ${requestLineTarget(request.target)} HTTP/1.1`, `Host: 127.0.0.1:${port}`, "Connection: close"];
  for (const [name, value] of request.headers) lines.push(`${name}: ${value}`);
  if (body) lines.push("Content-Type: application/json", `Content-Length: ${body.length}`);
  const head = Buffer.from(`${lines.join("\r\n")}\r\n\r\n`, "latin1");
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1");
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer within ${timeoutMs} ms: ${request.method} ${request.target.slice(0, 200)}`));
    }, timeoutMs);
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("error", () => {});
    socket.on("close", () => {
      clearTimeout(timer);
      const data = Buffer.concat(chunks).toString("latin1");
      const split = data.indexOf("\r\n\r\n");
      const [statusLine = "", ...headerLines] = data.slice(0, split < 0 ? data.length : split).split("\r\n");
      const headers: Record<string, string> = {};
      for (const line of headerLines) {
        const at = line.indexOf(":");
        if (at > 0) headers[line.slice(0, at).trim().toLowerCase()] = line.slice(at + 1).trim();
      }
      let text = split < 0 ? "" : data.slice(split + 4);
      if (headers["transfer-encoding"] === "chunked") text = unchunk(text);
      resolve({
        status: Number(statusLine.split(" ")[1] ?? 0),
        headers,
        body: Buffer.from(text, "latin1").toString("utf8"),
        ms: performance.now() - started,
      });
    });
    socket.write(body ? Buffer.concat([head, body]) : head);
  });
}

function unchunk(body: string): string {
  let out = "";
  for (let at = 0; at < body.length;) {
    const eol = body.indexOf("\r\n", at);
    if (eol < 0) break;
    const size = parseInt(body.slice(at, eol), 16);
    if (!size) break;
    out += body.slice(eol + 2, eol + 2 + size);
    at = eol + 2 + size + 2;
  }
  return out;
}

/** Whether a body is the one error shape: `{ "error": { "code": "…", "message": "…", "details"?: … } }`. */
export function isErrorShape(body: string): boolean {
  try {
    const parsed = JSON.parse(body) as { error?: { code?: unknown; message?: unknown } };
    const keys = Object.keys(parsed);
    return keys.length === 1 && typeof parsed.error?.code === "string" && typeof parsed.error.message === "string";
  } catch {
    return false;
  }
}
