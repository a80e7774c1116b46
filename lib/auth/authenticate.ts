import "server-only";
import type { Caller } from "./caller";

/**
 * Resolves the caller of a request from its session cookie or bearer token.
 * Placeholder until the identity work lands: nobody is authenticated, so
 * every non-public route answers 401.
 */
export async function authenticate(_request: Request): Promise<Caller | null> {
  return null;
}
