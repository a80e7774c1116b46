import type { Metadata } from "next";
import { AccessPanel } from "@/components/auth/access-panel";
import { browserRelations } from "@/components/explore/catalog-view";
import { SchemaBrowser } from "@/components/explore/schema-browser";
import { ErrorPanel } from "@/components/ui/error-panel";
import { PageHeader } from "@/components/ui/page-header";
import { toApiError } from "@/lib/server/6-to-api-error";
import { pageAccess } from "@/lib/server/8-page-guards";
import { getCatalog } from "@/lib/explore/catalog-cache";
import type { Catalog } from "@/lib/explore/catalog";

export const metadata: Metadata = { title: "Explore" };

export default async function ExplorePage() {
  const access = await pageAccess({ path: "/explore" });
  if (access.status !== "ok") return <AccessPanel kind={access.status} />;

  let catalog: Catalog | null = null;
  let failure: string | null = null;
  try {
    catalog = await getCatalog();
  } catch (error) {
    failure = toApiError(error).message;
  }

  return (
    <div className="space-y-6">
      <PageHeader
        title="Explore"
        description="Every table and view the read-only role can see. Open one to filter, sort and page through its rows, or to download them as CSV."
      />
      {catalog ? (
        <SchemaBrowser relations={browserRelations(catalog)} />
      ) : (
        <ErrorPanel title="The catalog could not be read">{failure ?? "Unknown error"} Reload the page to try again.</ErrorPanel>
      )}
    </div>
  );
}
