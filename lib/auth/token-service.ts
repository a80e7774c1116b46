import "server-only";
import { audit } from "@/lib/db/queries/audit";
import { createToken, revokeTokenById, revokeTokenByText, type CreateTokenInput, type TokenMeta } from "@/lib/auth/tokens";
import type { Actor } from "@/lib/auth/user-admin";
import { enforce } from "@/lib/ratelimit/enforce";

/**
 * Token create / revoke with their audit lines: the one path the settings
 * page, the admin tools and `npm run token` share.
 */
export async function issueToken(actor: Actor, input: CreateTokenInput): Promise<{ token: string; meta: TokenMeta }> {
  // Browser users are held to the strict token-creation policy (fail closed);
  // operators on the command line are trusted with their own machine.
  if (actor.via !== "cli" && actor.userId) {
    const { error } = await enforce([{ policy: "token-create", identifier: `user:${actor.userId}` }]);
    if (error) throw error;
  }
  const created = await createToken(input);
  const { meta } = created;
  await audit({
    action: "token.create",
    via: actor.via,
    actorUserId: actor.userId,
    ip: actor.ip,
    target: meta.userId,
    details: { tokenId: meta.id, name: meta.name, scopes: meta.scopes, expiresAt: meta.expiresAt ? new Date(meta.expiresAt).toISOString() : null },
  });
  return created;
}

export async function withdrawToken(actor: Actor, by: { userId: string; id: string } | { token: string }): Promise<TokenMeta | null> {
  const meta = "token" in by ? await revokeTokenByText(by.token) : await revokeTokenById(by.userId, by.id);
  if (meta) {
    await audit({
      action: "token.revoke",
      via: actor.via,
      actorUserId: actor.userId,
      ip: actor.ip,
      target: meta.userId,
      details: { tokenId: meta.id, name: meta.name },
    });
  }
  return meta;
}
