import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { Suspense } from "react";
import { AccessPanel } from "@/components/auth/access-panel";
import { findBrowserRelation } from "@/components/explore/catalog-view";
import { relationPath } from "@/components/explore/grid-query";
import { TableGrid } from "@/components/explore/table-grid";
import { Badge } from "@/components/ui/badge";
import { ErrorPanel } from "@/components/ui/error-panel";
import { PageHeader } from "@/components/ui/page-header";
import { Spinner } from "@/components/ui/spinner";
import { toApiError } from "@/lib/server/6-to-api-error";
import { pageAccess } from "@/lib/server/8-page-guards";
import { getCatalog } from "@/lib/explore/catalog-cache";

type Props = { params: Promise<{ relation: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { relation } = await params;
  let title = relation;
  try {
    title = decodeURIComponent(relation);
  } catch {
    // keep the raw segment
  }
  return { title };
}

const number = new Intl.NumberFormat("en-US");

export default async function RelationPage({ params, searchParams }: Props) {
  const { relation: segment } = await params;
  // The grid's state lives in the query string; keep it across a detour through sign-in.
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(await searchParams)) for (const item of [value ?? []].flat()) search.append(key, item);
  const access = await pageAccess({ path: `/explore/${segment}${search.size ? `?${search}` : ""}` });
  if (access.status !== "ok") return <AccessPanel kind={access.status} />;

  let relation;
  try {
    relation = findBrowserRelation(await getCatalog(), segment);
  } catch (error) {
    return <ErrorPanel title="The catalog could not be read">{toApiError(error).message} Reload the page to try again.</ErrorPanel>;
  }
  // HTTP 404 (not a 200 carrying a message): links checkers, monitors and the back button see it.
  if (!relation) notFound();

  return (
    <div className="space-y-6">
      <PageHeader
        eyebrow={
          <Link href="/explore" className="hover:text-slate-800">
            ← Explore
          </Link>
        }
        title={
          <span className="font-mono">
            {relation.schema}.{relation.name}
          </span>
        }
        description={
          <span className="flex flex-wrap items-center gap-2">
            <Badge tone={relation.kind === "view" ? "warning" : "brand"}>{relation.kind}</Badge>
            <span>{relation.estimatedRows !== null ? `≈ ${number.format(relation.estimatedRows)} rows` : "row count unknown"}</span>
            {relation.comment ? <span>· {relation.comment}</span> : null}
          </span>
        }
      />
      <Suspense fallback={<Spinner label="Loading the grid…" />}>
        <TableGrid
          relation={{
            path: relationPath(relation.schema, relation.name),
            estimatedRows: relation.estimatedRows,
            columns: relation.columns.map((column) => ({ name: column.name, type: column.type })),
          }}
        />
      </Suspense>
    </div>
  );
}
