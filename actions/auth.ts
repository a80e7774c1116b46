"use server";

import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { action } from "@/lib/server/7-action";
import { clearSessionCookie } from "@/lib/auth/clear-session-cookie";
import { readSessionToken } from "@/lib/auth/session-cookie";
import { endSession } from "@/lib/auth/sign-out";
import { log } from "@/lib/core/log";

/**
 * Sign-out: deletes the session in Redis (so a copy of the cookie is dead
 * too), then the cookie. Public, so an already ended session can still clear
 * its cookie; the session to end comes from the cookie itself. If Redis is
 * down the cookie is still cleared, and the page says the server-side half
 * did not happen rather than pretending it did.
 */
export const signOutAction = action({ name: "auth.sign-out", auth: "public" }, async (_input, { ip, requestId }) => {
  const claims = await readSessionToken({ headers: await headers() });
  let ended = true;
  if (claims) {
    try {
      await endSession(claims.sub, claims.sid, ip);
    } catch (error) {
      ended = false;
      log.warn({ requestId, err: error instanceof Error ? error.message : String(error) }, "sign-out could not end the session in Redis");
    }
  }
  await clearSessionCookie();
  redirect(ended ? "/sign-in?notice=signed-out" : "/sign-in?notice=signed-out-locally");
});
