import "server-only";
import { CLIENT_IP_HEADER } from "@/lib/core/headers";
import { env } from "@/lib/env";
import { clientIp } from "@/lib/core/client-ip";

/**
 * Who sent a request, for audit lines and the session list. proxy.ts knows
 * the socket address and writes the resolved client IP into CLIENT_IP_HEADER
 * (replacing whatever a client sent); without it, only a trusted proxy header
 * (TRUST_PROXY) is believed.
 */

type HeaderRecord = Readonly<Record<string, string | string[] | undefined>>;
/** Fetch-style headers, or the plain object next-auth hands to authorize(). */
type HeaderSource = Pick<Headers, "get"> | HeaderRecord;

function header(headers: HeaderSource, name: string): string | undefined {
  if (typeof headers.get === "function") return (headers as Pick<Headers, "get">).get(name) ?? undefined;
  const value = (headers as HeaderRecord)[name];
  return Array.isArray(value) ? value[0] : value;
}

export function requestIp(headers: HeaderSource): string | null {
  const fromProxy = header(headers, CLIENT_IP_HEADER);
  if (fromProxy) return fromProxy.slice(0, 64);
  const ip = clientIp(headers as Parameters<typeof clientIp>[0], undefined, env().TRUST_PROXY);
  return ip === "unknown" ? null : ip;
}

export function requestUserAgent(headers: HeaderSource): string | null {
  return header(headers, "user-agent")?.slice(0, 200) ?? null;
}
