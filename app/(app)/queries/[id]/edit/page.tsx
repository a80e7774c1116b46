import type { Metadata } from "next";
import Link from "next/link";
import { AccessPanel } from "@/components/auth/access-panel";
import { loadQuery } from "@/components/queries/load-query";
import { QueryForm } from "@/components/queries/query-form";
import { QueryMissing } from "@/components/queries/query-missing";
import { completionSchema } from "@/components/sql/completion-schema";
import { PageHeader } from "@/components/ui/page-header";
import { pageAccess } from "@/lib/server/8-page-guards";
import { getCatalog } from "@/lib/explore/catalog-cache";

export const metadata: Metadata = { title: "Edit saved query" };

export default async function EditQueryPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const access = await pageAccess({ role: "analyst", path: `/queries/${id}/edit` });
  if (access.status === "forbidden") return <AccessPanel kind="forbidden" role="analyst" />;
  if (access.status !== "ok") return <AccessPanel kind={access.status} />;
  const loaded = await loadQuery(access.caller, id);
  if (loaded.status !== "ok") return <QueryMissing loaded={loaded} />;
  const { query } = loaded;
  if (!query.canEdit) return <AccessPanel kind="forbidden" role="owner's or admin" />;
  const catalog = await getCatalog().catch(() => null);

  return (
    <div className="space-y-6">
      <PageHeader
        eyebrow={
          <Link href={`/queries/${query.id}`} className="hover:text-slate-800">
            ← {query.name}
          </Link>
        }
        title="Edit saved query"
      />
      <QueryForm
        id={query.id}
        initial={{
          name: query.name,
          description: query.description,
          sql: query.sql,
          parameters: query.parameters,
          shared: query.shared,
          cacheMaxAgeS: query.cacheMaxAgeS,
        }}
        schema={catalog ? completionSchema(catalog) : {}}
        defaultSchema={catalog?.schemas[0]?.name}
      />
    </div>
  );
}
