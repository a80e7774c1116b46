import "server-only";
import { listTokens, type TokenMeta } from "@/lib/auth/tokens";
import { listUsers, type UserSummary } from "@/lib/db/queries/users";

export type TokenWithOwner = TokenMeta & { owner: Pick<UserSummary, "id" | "email" | "role" | "disabled"> };

/**
 * Every live token with its owner. Tokens are indexed per user in Redis, so
 * this walks the users (a team-sized list) a few at a time.
 */
export async function allTokens(): Promise<TokenWithOwner[]> {
  const users = await listUsers();
  const out: TokenWithOwner[] = [];
  const BATCH = 10;
  for (let i = 0; i < users.length; i += BATCH) {
    const batch = users.slice(i, i + BATCH);
    const lists = await Promise.all(batch.map((user) => listTokens(user.id)));
    lists.forEach((tokens, j) => {
      const { id, email, role, disabled } = batch[j]!;
      for (const token of tokens) out.push({ ...token, owner: { id, email, role, disabled } });
    });
  }
  return out.sort((a, b) => b.createdAt - a.createdAt);
}
