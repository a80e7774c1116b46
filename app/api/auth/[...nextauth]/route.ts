import NextAuth from "next-auth";
import type { NextRequest } from "next/server";
import { authOptions } from "@/lib/auth/options";
import { ApiError, errorResponse } from "@/lib/core/errors";

/**
 * next-auth's endpoints (csrf, credentials callback, session, sign-out), with options built per
 * request. A POST that says JSON but is not a JSON object is refused here: next-auth parses it
 * unguarded, and the parse error was a 500.
 */
async function handler(request: NextRequest, context: { params: Promise<{ nextauth: string[] }> }): Promise<Response> {
  if (request.method === "POST" && request.headers.get("content-type")?.includes("application/json")) {
    const isObject = await request
      .clone()
      .json()
      .then(
        (value: unknown) => value !== null && typeof value === "object" && !Array.isArray(value),
        () => false,
      );
    if (!isObject) return errorResponse(new ApiError("bad_request", "send a form (application/x-www-form-urlencoded) or a JSON object"));
  }
  return NextAuth(request, context, authOptions(request.headers));
}

export { handler as GET, handler as POST };
