import type { Metadata } from "next";
import { AccessPanel } from "@/components/auth/access-panel";
import { AdminHeader } from "@/components/admin/admin-nav";
import { AdminRevokeTokenButton } from "@/components/admin/admin-revoke-token-button";
import { TokenTable } from "@/components/tokens/token-table";
import { pageAccess } from "@/lib/server/8-page-guards";
import { allTokens } from "@/app/admin/tokens/all-tokens";

export const metadata: Metadata = { title: "API tokens" };

export default async function AdminTokensPage() {
  const access = await pageAccess({ role: "admin", path: "/admin/tokens" });
  if (access.status !== "ok") return <AccessPanel kind={access.status} role="admin" />;
  const tokens = await allTokens();

  return (
    <div className="space-y-6">
      <AdminHeader description="Every live API token of every user. Revoking one takes effect on its next request." />
      <TokenTable
        tokens={tokens}
        label="API tokens of all users"
        empty="No user has an API token. Users create them under Settings → API tokens."
        nameHeading="Token"
        owner={(token) => (
          <>
            <div className="font-medium text-slate-900">{token.owner.email}</div>
            <div className="text-xs text-slate-500">
              {token.owner.role}
              {token.owner.disabled ? " · disabled" : ""}
            </div>
          </>
        )}
        revoke={(token) => <AdminRevokeTokenButton userId={token.owner.id} id={token.id} name={token.name} owner={token.owner.email} />}
      />
    </div>
  );
}
