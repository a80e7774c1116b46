import type { Metadata } from "next";
import { AccessPanel } from "@/components/auth/access-panel";
import { CreateTokenForm } from "@/components/tokens/create-token-form";
import { TokenTable } from "@/components/tokens/token-table";
import { ROLE_SCOPES, type TokenScope } from "@/lib/core/caller";
import { pageAccess } from "@/lib/server/8-page-guards";
import { TOKEN_EXPIRY_CHOICES } from "@/lib/auth/token-format";
import { listTokens } from "@/lib/auth/tokens";

export const metadata: Metadata = { title: "API tokens" };

const SCOPE_DESCRIPTIONS: Record<TokenScope, string> = {
  "tables:read": "read tables and views through /api/v1/tables",
  "queries:run": "run saved queries",
  "sql:run": "run read-only SQL through /api/v1/sql",
  admin: "admin API: users, pools, audit",
};

export default async function TokensPage() {
  const access = await pageAccess({ path: "/settings/tokens" });
  if (access.status !== "ok") return <AccessPanel kind={access.status} />;
  const { caller } = access;
  const tokens = await listTokens(caller.userId);
  const scopes = ROLE_SCOPES[caller.role].map((scope) => ({ scope, description: SCOPE_DESCRIPTIONS[scope] }));

  return (
    <div className="space-y-8">
      <p className="max-w-3xl text-sm text-slate-600">
        Tokens let scripts call the API as you, limited to the scopes you choose (never more than your role,{" "}
        <span className="font-medium">{caller.role}</span>, allows). Send one as{" "}
        <code className="rounded bg-slate-100 px-1 font-mono text-xs">Authorization: Bearer slc_…</code>. Revoking a token stops it immediately.
      </p>
      <CreateTokenForm scopes={scopes} expiries={TOKEN_EXPIRY_CHOICES} />
      <section className="space-y-3">
        <h2 className="text-lg font-semibold">Your tokens</h2>
        <TokenTable tokens={tokens} />
      </section>
    </div>
  );
}
