import NextAuth from "next-auth";
import type { NextRequest } from "next/server";
import { authOptions } from "@/lib/auth/options";

/** next-auth's endpoints (csrf, credentials callback, session, sign-out), with options built per request. */
async function handler(request: NextRequest, context: { params: Promise<{ nextauth: string[] }> }): Promise<Response> {
  return NextAuth(request, context, authOptions(request.headers));
}

export { handler as GET, handler as POST };
