import { route } from "@/lib/server/6-route";
import { requestIp } from "@/lib/auth/request-meta";
import { csvFormulas, wantsCsv } from "@/lib/explore/output";
import { runSqlCsv, runSqlJson } from "@/lib/explore/sandbox";
import { sqlRunBody } from "@/lib/explore/api-schemas";

/** POST /api/v1/sql: one read-only statement through the sandbox, as JSON or streamed CSV. */
export const POST = route({ scopes: ["sql:run"], body: sqlRunBody, maxBodyBytes: 256 * 1024 }, async ({ caller, body, request, signal }) => {
  const run = {
    caller,
    sql: body.sql,
    params: body.params ?? [],
    maxRows: body.maxRows,
    signal,
    csvFormulas: csvFormulas(request.headers.get("accept")),
    audit: { action: "sql.run" as const, ip: requestIp(request.headers) },
  };
  if (wantsCsv(request.headers.get("accept"))) return runSqlCsv(run, "query");
  return runSqlJson(run);
});
