import type { Metadata } from "next";
import Link from "next/link";
import { AccessPanel } from "@/components/auth/access-panel";
import { formatWhen } from "@/components/format";
import { loadQuery } from "@/components/queries/load-query";
import { QueryMissing } from "@/components/queries/query-missing";
import { QueryRunner } from "@/components/queries/query-runner";
import { Badge } from "@/components/ui/badge";
import { TransientNotice } from "@/components/ui/transient-notice";
import { LinkButton } from "@/components/ui/button";
import { PageHeader } from "@/components/ui/page-header";
import { roleAtLeast } from "@/lib/core/caller";
import { pageAccess } from "@/lib/server/8-page-guards";

export const metadata: Metadata = { title: "Run saved query" };

type Props = { params: Promise<{ id: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function QueryPage({ params, searchParams }: Props) {
  const { id } = await params;
  const access = await pageAccess({ path: `/queries/${id}` });
  if (access.status !== "ok") return <AccessPanel kind={access.status} />;
  const loaded = await loadQuery(access.caller, id);
  if (loaded.status !== "ok") return <QueryMissing loaded={loaded} />;
  const { query } = loaded;
  const { saved } = await searchParams;

  return (
    <div className="space-y-6">
      <PageHeader
        eyebrow={
          <Link href="/queries" className="hover:text-slate-800">
            ← Saved queries
          </Link>
        }
        title={query.name}
        description={
          <span className="space-y-1">
            {query.description ? <span className="block">{query.description}</span> : null}
            <span className="flex flex-wrap items-center gap-2 text-xs text-slate-500">
              <Badge tone={query.shared ? "brand" : "neutral"}>{query.shared ? "shared" : "private"}</Badge>
              <span>by {query.ownerId === access.caller.userId ? "you" : (query.ownerEmail ?? "a deleted user")}</span>
              <span>· updated {formatWhen(query.updatedAt)}</span>
              <span>· cache {query.cacheMaxAgeS > 0 ? `${query.cacheMaxAgeS} s` : "off"}</span>
            </span>
          </span>
        }
        actions={
          <>
            {roleAtLeast(access.caller.role, "analyst") ? (
              <LinkButton href={`/sql?sql=${encodeURIComponent(query.sql)}`}>Open in console</LinkButton>
            ) : null}
            {query.canEdit ? <LinkButton href={`/queries/${query.id}/edit`}>Edit</LinkButton> : null}
          </>
        }
      />
      {saved ? <TransientNotice param="saved">Saved.</TransientNotice> : null}
      <details className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm">
        <summary className="cursor-pointer text-sm font-medium text-slate-700">SQL</summary>
        <pre className="mt-3 overflow-x-auto rounded-lg bg-slate-50 p-3 font-mono text-xs text-slate-800" data-testid="saved-sql">
          {query.sql}
        </pre>
      </details>
      <QueryRunner id={query.id} parameters={query.parameters} chart={query.chart} canEdit={query.canEdit} />
    </div>
  );
}
