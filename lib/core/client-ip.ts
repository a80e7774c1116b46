import "server-only";
import { isIP } from "node:net";
import { headerValue, type HeaderSource } from "@/lib/core/headers";
import type { TrustProxy } from "@/lib/env";

/**
 * Who is the client? Only the TCP peer is known for sure; forwarding headers
 * are believed solely when TRUST_PROXY says which proxy in front writes them.
 * Without that, any X-Forwarded-For / CF-Connecting-IP a client sends changes
 * nothing — otherwise one could dodge per-IP limits by inventing addresses.
 *
 * TRUST_PROXY:
 *   unset / 0    socket address only
 *   cloudflare   CF-Connecting-IP (Cloudflare overwrites it on every request)
 *   fly          Fly-Client-IP (set by Fly's edge)
 *   N (1..20)    N trusted proxies append to X-Forwarded-For: the Nth entry from
 *                the right is the address the outermost trusted proxy saw.
 *                (Entries further left were written by the client and may be lies.)
 */

/** Normalises an address so one client maps to one identifier (IPv4-mapped IPv6, ports, brackets). */
export function normaliseIp(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  let value = raw.trim();
  // "[2001:db8::1]:443" and "203.0.113.7:5555" — some proxies append the port.
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(value);
  if (bracketed?.[1]) value = bracketed[1];
  else if (/^\d{1,3}(\.\d{1,3}){3}:\d+$/.test(value)) value = value.slice(0, value.lastIndexOf(":"));
  value = value.replace(/%.*$/, ""); // zone index of link-local IPv6
  const mapped = /^::ffff:(\d{1,3}(\.\d{1,3}){3})$/i.exec(value);
  if (mapped?.[1]) value = mapped[1];
  if (isIP(value) === 0) return undefined;
  return value.toLowerCase();
}

/**
 * The client address to rate-limit by. Falls back to the socket address when
 * the trusted header is missing or malformed (a misconfigured proxy then limits
 * everyone together, which is noticed; trusting garbage would not be).
 * Returns "unknown" when nothing usable exists, so such requests share a bucket.
 */
export function clientIp(headers: HeaderSource, socketAddress: string | undefined, trustProxy: TrustProxy): string {
  const socket = normaliseIp(socketAddress) ?? "unknown";
  if (trustProxy === undefined || trustProxy === 0) return socket;
  if (trustProxy === "cloudflare") return normaliseIp(headerValue(headers, "cf-connecting-ip")) ?? socket;
  if (trustProxy === "fly") return normaliseIp(headerValue(headers, "fly-client-ip")) ?? socket;
  const hops = (headerValue(headers, "x-forwarded-for") ?? "")
    .split(",")
    .map((hop) => hop.trim())
    .filter(Boolean);
  // Fewer entries than trusted proxies means a proxy did not append: don't guess.
  if (hops.length < trustProxy) return socket;
  return normaliseIp(hops[hops.length - trustProxy]) ?? socket;
}

/**
 * The per-IP rate-limit identifier. IPv6 clients usually hold a whole /64 and
 * can rotate through it at will, so they are limited per /64; IPv4 per address.
 */
export function ipRateLimitIdentifier(ip: string): string {
  if (isIP(ip) !== 6) return ip;
  const groups = expandIpv6(ip);
  return groups ? `${groups.slice(0, 4).join(":")}::/64` : ip;
}

function expandIpv6(ip: string): string[] | undefined {
  let text = ip.toLowerCase();
  // An embedded IPv4 tail (::ffff:1.2.3.4 not normalised away, 64:ff9b::1.2.3.4) → two hex groups.
  const v4 = /(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = "", tail] = text.split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const missing = tail === undefined ? 0 : 8 - left.length - right.length;
  const groups = [...left, ...Array<string>(missing).fill("0"), ...right];
  if (groups.length !== 8) return undefined;
  return groups.map((group) => group.padStart(4, "0"));
}
