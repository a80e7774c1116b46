import "server-only";
import { cookies, headers } from "next/headers";
import { secureCookiesFor, sessionCookieName } from "@/lib/auth/session-cookie";

/** From a server action: drop the session cookie (same name and attributes it was set with). */
export async function clearSessionCookie(): Promise<void> {
  const requestHeaders = await headers();
  (await cookies()).set(sessionCookieName(requestHeaders), "", {
    maxAge: 0,
    path: "/",
    httpOnly: true,
    sameSite: "lax",
    secure: secureCookiesFor(requestHeaders),
  });
}
