import { randomUUID } from "node:crypto";

export const REQUEST_ID_HEADER = "x-request-id";

/** The proxy assigns one; a client-supplied id is kept only when it looks harmless. */
export function requestIdFrom(headers: Headers): string {
  const given = headers.get(REQUEST_ID_HEADER);
  return given && /^[\w.-]{8,64}$/.test(given) ? given : randomUUID();
}
