"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { ApiError } from "@/lib/core/errors";
import { action, formArray } from "@/lib/server/7-action";
import { TOKEN_SCOPES } from "@/lib/core/caller";
import { parseExpiry, TOKEN_EXPIRY_CHOICES, TOKEN_ID_PATTERN } from "@/lib/auth/token-format";
import { issueToken, withdrawToken } from "@/lib/auth/token-service";
import { tokenNameSchema } from "@/lib/auth/tokens";

const createSchema = z.object({
  name: tokenNameSchema,
  scopes: formArray(z.enum(TOKEN_SCOPES)).pipe(z.array(z.enum(TOKEN_SCOPES)).min(1, "choose at least one scope")),
  expires: z.enum(TOKEN_EXPIRY_CHOICES, "choose an expiry"),
});

/** The token text is in this one response and nowhere else, ever. */
export const createTokenAction = action({ name: "tokens.create", schema: createSchema }, async (input, { caller, ip }) => {
  const { token, meta } = await issueToken(
    { userId: caller.userId, via: "session", ip },
    { owner: { id: caller.userId, role: caller.role }, name: input.name, scopes: input.scopes, lifetimeMs: parseExpiry(input.expires) },
  );
  revalidatePath("/settings/tokens");
  return { token, id: meta.id, name: meta.name };
});

export const revokeTokenAction = action(
  { name: "tokens.revoke", schema: z.object({ id: z.string().regex(TOKEN_ID_PATTERN, "not a token id") }) },
  async (input, { caller, ip }) => {
    const revoked = await withdrawToken({ userId: caller.userId, via: "session", ip }, { userId: caller.userId, id: input.id });
    if (!revoked) throw new ApiError("not_found", "no such token (already revoked or expired?)");
    revalidatePath("/settings/tokens");
    return { id: revoked.id, name: revoked.name };
  },
);
