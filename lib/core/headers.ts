import "server-only";
/**
 * Reading request headers, the same way everywhere: the proxy, authentication,
 * the metrics token, the client address and the audit lines.
 */

/** Set by scripts/peer-address-preload.mjs from the TCP socket; a client can never supply it. */
export const PEER_ADDRESS_HEADER = "x-sluice-peer-address";
/** What the proxy forwards to route handlers after deciding the client's address. */
export const CLIENT_IP_HEADER = "x-sluice-client-ip";

/** Fetch-style headers, or a plain record (node:http's request.headers, the object next-auth hands to authorize()). */
export type HeaderSource = Pick<Headers, "get"> | Readonly<Record<string, string | readonly string[] | undefined>>;

/**
 * One header's value, or undefined when it is absent. `name` is lower case; a
 * record's keys are matched case-insensitively, and a repeated header (an array)
 * reads as its values joined with commas, as Fetch's Headers.get does.
 */
export function headerValue(headers: HeaderSource, name: string): string | undefined {
  if (typeof (headers as Headers).get === "function") return (headers as Headers).get(name) ?? undefined;
  const record = headers as Readonly<Record<string, string | readonly string[] | undefined>>;
  const found = Object.keys(record).find((key) => key.toLowerCase() === name);
  const value = found === undefined ? undefined : record[found];
  return Array.isArray(value) ? value.join(",") : (value as string | undefined);
}

// RFC 6750 §2.1: `Bearer` (any case, RFC 9110 §11.1), one or more spaces, exactly one credential.
const BEARER = /^Bearer +(\S+) *$/i;

/** The credential of an `Authorization: Bearer …` header; null when the header is absent or not that shape. */
export function bearerToken(authorization: string | null | undefined): string | null {
  return (authorization && BEARER.exec(authorization)?.[1]) || null;
}
