import "server-only";
import { ExploreError } from "@/lib/explore/errors";

/**
 * The table API is read-only: a PostgREST client's write (POST/PATCH/PUT/DELETE on a table, any
 * call of `/rpc/…`) gets a 405 in the one error shape, with `Allow` naming what is served.
 */
export const READ_METHODS = "GET, HEAD";

export function readOnlyRefusal(method: string, what: string): ExploreError {
  const error = new ExploreError("read_only", `The table API is read-only: ${method} ${what} is not served; use GET or HEAD`, {
    method,
  });
  Object.assign(error.headers, { Allow: READ_METHODS });
  return error;
}
