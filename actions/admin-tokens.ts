"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { ApiError } from "@/lib/core/errors";
import { action } from "@/lib/server/7-action";
import { TOKEN_ID_PATTERN } from "@/lib/auth/token-format";
import { withdrawToken } from "@/lib/auth/token-service";

/** An admin revokes anyone's token; audited as token.revoke with the admin as actor. */
export const adminRevokeTokenAction = action(
  {
    name: "admin.tokens.revoke",
    role: "admin",
    scopes: ["admin"],
    schema: z.object({ userId: z.uuid("not a user id"), id: z.string().regex(TOKEN_ID_PATTERN, "not a token id") }),
  },
  async (input, { caller, ip }) => {
    const revoked = await withdrawToken({ userId: caller.userId, via: "session", ip }, { userId: input.userId, id: input.id });
    if (!revoked) throw new ApiError("not_found", "no such token (already revoked or expired?)");
    revalidatePath("/admin/tokens");
    return { id: revoked.id, name: revoked.name };
  },
);
