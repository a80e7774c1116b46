"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { ApiError } from "@/lib/core/errors";
import { action, type ActionContext } from "@/lib/server/7-action";
import { USER_ROLES, type Caller } from "@/lib/core/caller";
import { SESSION_HANDLE_PATTERN } from "@/lib/auth/sessions";
import { changeRole, createUserAccount, resetPassword, revokeAllSessions, revokeOneSession, setDisabled, type Actor } from "@/lib/auth/user-admin";

/**
 * Admin actions. Each one checks the admin role itself (the layout guard
 * does not protect a directly posted action) and writes its audit line in
 * lib/auth/user-admin.ts.
 */
const admin = { role: "admin", scopes: ["admin"] } as const;
const userId = z.uuid("not a user id");

function actor(caller: Caller, context: ActionContext): Actor {
  return { userId: caller.userId, via: "session", ip: context.ip };
}

function notSelf(caller: Caller, target: string, what: string): void {
  if (caller.userId === target) throw new ApiError("conflict", `you cannot ${what} yourself; ask another admin`);
}

const refresh = (id?: string) => {
  revalidatePath("/admin/users");
  if (id) revalidatePath(`/admin/users/${id}`);
};

export const createUserAction = action(
  { name: "users.create", ...admin, schema: z.object({ email: z.email("enter a valid e-mail").max(254), role: z.enum(USER_ROLES) }) },
  async (input, { caller, ...context }) => {
    const { user, password } = await createUserAccount(actor(caller, context), input);
    refresh();
    return { email: user.email, password };
  },
);

export const changeRoleAction = action(
  { name: "users.change-role", ...admin, schema: z.object({ userId, role: z.enum(USER_ROLES) }) },
  async (input, { caller, ...context }) => {
    notSelf(caller, input.userId, "change the role of");
    const user = await changeRole(actor(caller, context), input.userId, input.role);
    refresh(user.id);
    return { role: user.role };
  },
);

export const setDisabledAction = action(
  { name: "users.set-disabled", ...admin, schema: z.object({ userId, disabled: z.enum(["true", "false"]).transform((v) => v === "true") }) },
  async (input, { caller, ...context }) => {
    notSelf(caller, input.userId, "disable or enable");
    const user = await setDisabled(actor(caller, context), input.userId, input.disabled);
    refresh(user.id);
    return { disabled: user.disabled };
  },
);

export const resetPasswordAction = action(
  { name: "users.reset-password", ...admin, schema: z.object({ userId }) },
  async (input, { caller, ...context }) => {
    const { user, password } = await resetPassword(actor(caller, context), input.userId);
    refresh(user.id);
    return { email: user.email, password };
  },
);

export const revokeSessionAction = action(
  { name: "sessions.revoke", ...admin, schema: z.object({ userId, session: z.string().regex(SESSION_HANDLE_PATTERN, "not a session") }) },
  async (input, { caller, ...context }) => {
    const ended = await revokeOneSession(actor(caller, context), input.userId, input.session);
    if (!ended) throw new ApiError("not_found", "that session has already ended");
    refresh(input.userId);
    return { ended };
  },
);

export const revokeAllSessionsAction = action(
  { name: "sessions.revoke-all", ...admin, schema: z.object({ userId }) },
  async (input, { caller, ...context }) => {
    const ended = await revokeAllSessions(actor(caller, context), input.userId);
    refresh(input.userId);
    return { ended };
  },
);
