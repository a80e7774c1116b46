import "server-only";
import { randomUUID } from "node:crypto";

export const REQUEST_ID_HEADER = "x-request-id";

/** The proxy assigns one; a client-supplied id is kept only when it looks harmless. */
export function requestIdFrom(headers: Headers): string {
  return requestIdOf(headers.get(REQUEST_ID_HEADER));
}

/** The same for a raw header value (node:http requests, before Next). */
export function requestIdOf(given: string | string[] | null | undefined): string {
  return typeof given === "string" && /^[\w.-]{8,64}$/.test(given) ? given : randomUUID();
}
