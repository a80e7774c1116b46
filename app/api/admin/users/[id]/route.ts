import { z } from "zod";
import { ApiError } from "@/lib/core/errors";
import { route } from "@/lib/server/6-route";
import { USER_ROLES } from "@/lib/core/caller";
import { requestIp } from "@/lib/auth/request-meta";
import { changeRole, setDisabled } from "@/lib/auth/user-admin";

const params = z.object({ id: z.uuid() });
const body = z
  .object({ role: z.enum(USER_ROLES).optional(), disabled: z.boolean().optional() })
  .strict()
  .refine((value) => value.role !== undefined || value.disabled !== undefined, "send role and/or disabled");

/** Change a user's role or disabled flag: the admin page's actions, for automation. */
export const PATCH = route({ role: "admin", scopes: ["admin"], params, body }, async ({ caller, params, body, request }) => {
  if (params.id === caller.userId && (body.disabled || (body.role && body.role !== "admin"))) {
    throw new ApiError("conflict", "you cannot demote or disable yourself");
  }
  const actor = { userId: caller.userId, via: caller.via, ip: requestIp(request.headers) };
  let user = body.role ? await changeRole(actor, params.id, body.role) : null;
  if (body.disabled !== undefined) user = await setDisabled(actor, params.id, body.disabled);
  return { user };
});
