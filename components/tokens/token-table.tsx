import type { ReactNode } from "react";
import { formatWhen } from "@/components/format";
import { RevokeTokenButton } from "@/components/tokens/revoke-token-button";

export interface TokenRow {
  id: string;
  name: string;
  hint: string;
  scopes: readonly string[];
  createdAt: number;
  expiresAt: number | null;
  lastUsedAt: number | null;
}

/**
 * A table of API tokens. By default the caller's own tokens with the self-service revoke button;
 * the admin page adds an owner column (`owner`) and its own revoke action (`revoke`).
 */
export function TokenTable<T extends TokenRow>({
  tokens,
  label = "Your API tokens",
  empty = "No tokens yet.",
  nameHeading = "Name",
  owner,
  revoke = (token) => <RevokeTokenButton id={token.id} name={token.name} />,
}: {
  tokens: T[];
  label?: string;
  empty?: ReactNode;
  nameHeading?: string;
  owner?: (token: T) => ReactNode;
  revoke?: (token: T) => ReactNode;
}) {
  if (tokens.length === 0) {
    return <p className="rounded-xl border border-dashed border-slate-300 bg-white p-6 text-sm text-slate-500">{empty}</p>;
  }
  return (
    <div className="relative overflow-x-auto rounded-xl border border-slate-200 bg-white shadow-sm">
      <table className="w-full text-left text-sm" aria-label={label}>
        <thead className="bg-slate-50 text-slate-500">
          <tr>
            {owner ? <th className="px-4 py-2 font-medium">Owner</th> : null}
            <th className="px-4 py-2 font-medium">{nameHeading}</th>
            <th className="px-4 py-2 font-medium">Scopes</th>
            <th className="px-4 py-2 font-medium">Created</th>
            <th className="px-4 py-2 font-medium">Expires</th>
            <th className="px-4 py-2 font-medium">Last used</th>
            <th className="px-4 py-2" />
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {tokens.map((token) => (
            <tr key={token.id} data-token-id={token.id}>
              {owner ? <td className="px-4 py-2">{owner(token)}</td> : null}
              <td className="px-4 py-2">
                <div className="font-medium text-slate-900">{token.name}</div>
                <div className="font-mono text-xs text-slate-500">
                  {token.hint} · id {token.id}
                </div>
              </td>
              <td className="px-4 py-2">
                <div className="flex flex-wrap gap-1">
                  {token.scopes.map((scope) => (
                    <span key={scope} className="rounded-full bg-brand-50 px-2 py-0.5 font-mono text-xs text-brand-700 ring-1 ring-brand-100">
                      {scope}
                    </span>
                  ))}
                </div>
              </td>
              <td className="px-4 py-2 whitespace-nowrap tabular-nums">{formatWhen(token.createdAt)}</td>
              <td className="px-4 py-2 whitespace-nowrap tabular-nums">{formatWhen(token.expiresAt, "never")}</td>
              <td className="px-4 py-2 whitespace-nowrap tabular-nums">{formatWhen(token.lastUsedAt, "never")}</td>
              <td className="px-4 py-2">{revoke(token)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
