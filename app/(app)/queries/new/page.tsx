import type { Metadata } from "next";
import { AccessPanel } from "@/components/auth/access-panel";
import { QueryForm } from "@/components/queries/query-form";
import { completionSchema } from "@/components/sql/completion-schema";
import { PageHeader } from "@/components/ui/page-header";
import { pageAccess } from "@/lib/server/8-page-guards";
import { getCatalog } from "@/lib/explore/catalog-cache";

export const metadata: Metadata = { title: "New saved query" };

export default async function NewQueryPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const access = await pageAccess({ role: "analyst", path: "/queries/new" });
  if (access.status === "forbidden") return <AccessPanel kind="forbidden" role="analyst" />;
  if (access.status !== "ok") return <AccessPanel kind={access.status} />;
  const { sql } = await searchParams;
  // Completion is a convenience: without the catalog the form still works.
  const catalog = await getCatalog().catch(() => null);

  return (
    <div className="space-y-6">
      <PageHeader title="New saved query" description="Give it a name, use {{name}} for values that change, and decide whether the team sees it." />
      <QueryForm
        initial={{ name: "", description: "", sql: typeof sql === "string" ? sql : "", parameters: [], shared: false, cacheMaxAgeS: 0 }}
        schema={catalog ? completionSchema(catalog) : {}}
        defaultSchema={catalog?.schemas[0]?.name}
      />
    </div>
  );
}
