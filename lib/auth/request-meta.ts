import "server-only";
import { CLIENT_IP_HEADER, headerValue, type HeaderSource } from "@/lib/core/headers";
import { env } from "@/lib/env";
import { clientIp } from "@/lib/core/client-ip";

/**
 * Who sent a request, for audit lines and the session list. proxy.ts knows
 * the socket address and writes the resolved client IP into CLIENT_IP_HEADER
 * (replacing whatever a client sent); without it, only a trusted proxy header
 * (TRUST_PROXY) is believed.
 */

export function requestIp(headers: HeaderSource): string | null {
  const fromProxy = headerValue(headers, CLIENT_IP_HEADER);
  if (fromProxy) return fromProxy.slice(0, 64);
  const ip = clientIp(headers, undefined, env().TRUST_PROXY);
  return ip === "unknown" ? null : ip;
}

export function requestUserAgent(headers: HeaderSource): string | null {
  return headerValue(headers, "user-agent")?.slice(0, 200) ?? null;
}
