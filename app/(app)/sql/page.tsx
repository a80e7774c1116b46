import type { Metadata } from "next";
import { AccessPanel } from "@/components/auth/access-panel";
import { completionSchema } from "@/components/sql/completion-schema";
import { QueryHistory } from "@/components/sql/query-history";
import { SqlConsole } from "@/components/sql/sql-console";
import { ErrorPanel } from "@/components/ui/error-panel";
import { PageHeader } from "@/components/ui/page-header";
import { toApiError } from "@/lib/server/6-to-api-error";
import { pageAccess } from "@/lib/server/8-page-guards";
import { getCatalog } from "@/lib/explore/catalog-cache";
import { historyStatement, recentRuns } from "@/lib/explore/history";

export const metadata: Metadata = { title: "SQL console" };

export default async function SqlPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const access = await pageAccess({ role: "analyst", path: "/sql" });
  if (access.status === "forbidden") return <AccessPanel kind="forbidden" role="analyst" />;
  if (access.status !== "ok") return <AccessPanel kind={access.status} />;
  const { sql, history } = await searchParams;
  // ?history=<audit id> reopens one of the user's own runs (a URL could not carry a long statement).
  const historyId = typeof history === "string" && /^\d{1,18}$/.test(history) ? Number(history) : null;
  const reopened = historyId !== null ? await historyStatement(access.caller.userId, historyId) : null;
  const initialSql = reopened ?? (typeof sql === "string" ? sql : undefined);
  const runs = await recentRuns(access.caller.userId);

  let schema = {};
  let defaultSchema: string | undefined;
  let catalogError: string | null = null;
  try {
    const catalog = await getCatalog();
    schema = completionSchema(catalog);
    defaultSchema = catalog.schemas[0]?.name;
  } catch (error) {
    // The console still works without completion; say why it is missing.
    catalogError = toApiError(error).message;
  }

  return (
    <div className="space-y-6">
      <PageHeader
        title="SQL console"
        description="Run one read-only statement against the data schemas. Table and column names complete as you type; save a query to share it or to call it through the API."
      />
      {catalogError ? <ErrorPanel title="Completion is unavailable">{catalogError}</ErrorPanel> : null}
      {/* Keyed by the statement it opens with: the editor reads its first text once. */}
      <SqlConsole key={initialSql ?? ""} schema={schema} defaultSchema={defaultSchema} initialSql={initialSql} />
      <QueryHistory entries={runs} />
    </div>
  );
}
