import "server-only";
import type { NextAuthOptions, User } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { env } from "@/lib/env";
import { log } from "@/lib/core/log";
import { requestIp, requestUserAgent } from "@/lib/auth/request-meta";
import { authSecret, secureCookiesFor } from "@/lib/auth/session-cookie";
import { endSession } from "@/lib/auth/sign-out";
import { isSessionId, readSession } from "@/lib/auth/sessions";
import { SIGN_IN_ERRORS, signInWithPassword, type SignedInUser } from "@/lib/auth/sign-in";

/**
 * next-auth v4, Credentials + JWT. The JWT carries only the user id and a
 * session id; the session itself lives in Redis (sessions.ts), which is what
 * makes sign-out and revocation immediate.
 *
 * Built per request: the cookie names depend on whether the request came over
 * https (AUTH_SECURE_COOKIES), and nothing reads the environment at import
 * time (the production build imports this module without one).
 *
 * next-auth would read NEXTAUTH_URL / NEXTAUTH_SECRET itself; the secret is
 * passed explicitly instead, and no flow here depends on its idea of the site
 * URL (it defaults to localhost:3000): the sign-in form posts with json=true
 * and navigates by itself, and redirects are never taken from next-auth.
 */
type HeaderSource = Pick<Headers, "get">;
const authLog = log.child({ component: "auth" });

export function authOptions(headers: HeaderSource): NextAuthOptions {
  const ttl = env().SESSION_TTL_S;
  return {
    secret: authSecret(),
    useSecureCookies: secureCookiesFor(headers),
    session: { strategy: "jwt", maxAge: ttl },
    jwt: { maxAge: ttl },
    pages: { signIn: "/sign-in", error: "/sign-in" },
    providers: [
      CredentialsProvider({
        id: "credentials",
        name: "E-mail and password",
        credentials: { email: { label: "E-mail", type: "email" }, password: { label: "Password", type: "password" } },
        async authorize(credentials, request): Promise<User | null> {
          const meta = { ip: requestIp(request.headers ?? {}), userAgent: requestUserAgent(request.headers ?? {}) };
          let result;
          try {
            result = await signInWithPassword({ email: credentials?.email, password: credentials?.password }, meta);
          } catch (error) {
            authLog.error({ err: error instanceof Error ? error.message : String(error) }, "sign-in failed on our side");
            throw new Error(SIGN_IN_ERRORS.unavailable);
          }
          if (result.ok) return result.user;
          // next-auth turns a thrown message into `?error=<message>` for the form.
          const code = SIGN_IN_ERRORS[result.reason];
          throw new Error(result.retryAfterS ? `${code}:${result.retryAfterS}` : code);
        },
      }),
    ],
    callbacks: {
      async jwt({ token, user }) {
        if (user) {
          const signedIn = user as User & SignedInUser;
          return { sub: signedIn.id, email: signedIn.email, sid: signedIn.sid };
        }
        // Only /api/auth/session gets here; a token without a live session must
        // not be refreshed (next-auth then clears the cookie).
        if (!isSessionId(token.sid)) throw new Error("session token without a session id");
        const session = await readSession(token.sid);
        if (!session || session.userId !== token.sub) throw new Error("session revoked or expired");
        return token;
      },
      async session({ session, token }) {
        return { expires: session.expires, user: { id: token.sub, email: token.email } } as typeof session;
      },
    },
    events: {
      async signOut({ token }) {
        if (isSessionId(token?.sid) && typeof token.sub === "string") await endSession(token.sub, token.sid, requestIp(headers));
      },
    },
    logger: {
      error: (code, metadata) => authLog.warn({ code, err: metadata instanceof Error ? metadata.message : metadata }, "next-auth"),
      // NEXTAUTH_URL is deliberately unset (see above); its warning would only mislead.
      warn: (code) => (code === "NEXTAUTH_URL" ? undefined : authLog.warn({ code }, "next-auth")),
      debug: () => undefined,
    },
  };
}
