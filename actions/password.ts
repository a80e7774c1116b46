"use server";

import { redirect } from "next/navigation";
import { z } from "zod";
import { action } from "@/lib/server/7-action";
import { passwordSchema } from "@/lib/auth/password";
import { clearSessionCookie } from "@/lib/auth/clear-session-cookie";
import { changeOwnPassword } from "@/lib/auth/user-admin";

const schema = z
  .object({ current: z.string().min(1, "enter your current password"), next: passwordSchema, confirm: z.string() })
  .refine((value) => value.next === value.confirm, { path: ["confirm"], message: "the two new passwords differ" })
  .refine((value) => value.next !== value.current, { path: ["next"], message: "choose a password different from the current one" });

/** Every session of the user ends, this one too: sign in again with the new password. */
export const changePasswordAction = action(
  { name: "user.password-change", pendingPasswordChange: "allow", schema },
  async (input, { caller, ip }) => {
    await changeOwnPassword({ userId: caller.userId, via: "session", ip }, input.current, input.next);
    await clearSessionCookie();
    redirect("/sign-in?notice=password-changed");
  },
);
