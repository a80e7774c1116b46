import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { clientIp, ipRateLimitIdentifier, normaliseIp } from "@/lib/core/client-ip";
import { trustProxySchema } from "@/lib/env";

const SOCKET = "198.51.100.7";
const SPOOF_HEADERS = ["x-forwarded-for", "x-real-ip", "cf-connecting-ip", "fly-client-ip", "true-client-ip", "forwarded"];

describe("clientIp without TRUST_PROXY", () => {
  it("uses the socket address", () => {
    expect(clientIp(new Headers(), SOCKET, undefined)).toBe(SOCKET);
    expect(clientIp(new Headers(), SOCKET, 0)).toBe(SOCKET);
  });

  it("ignores every forwarding header a client can send", () => {
    const headers = new Headers({
      "x-forwarded-for": "1.2.3.4, 5.6.7.8",
      "x-real-ip": "1.2.3.4",
      "cf-connecting-ip": "1.2.3.4",
      "fly-client-ip": "1.2.3.4",
      forwarded: "for=1.2.3.4",
    });
    expect(clientIp(headers, SOCKET, undefined)).toBe(SOCKET);
  });

  it("is unaffected by any spoofed header values (property)", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...SPOOF_HEADERS), fc.oneof(fc.ipV4(), fc.ipV6(), fc.string())), (spoofed) => {
        const record: Record<string, string> = {};
        for (const [name, value] of Object.entries(spoofed)) record[name] = value;
        expect(clientIp(record, SOCKET, undefined)).toBe(SOCKET);
      }),
    );
  });

  it("only trusts the header TRUST_PROXY names", () => {
    const headers = new Headers({ "cf-connecting-ip": "203.0.113.9", "fly-client-ip": "203.0.113.10" });
    expect(clientIp(headers, SOCKET, "fly")).toBe("203.0.113.10");
    expect(clientIp(headers, SOCKET, "cloudflare")).toBe("203.0.113.9");
    expect(clientIp(new Headers({ "cf-connecting-ip": "203.0.113.9" }), SOCKET, 1)).toBe(SOCKET);
  });
});

describe("clientIp behind proxies", () => {
  it("reads CF-Connecting-IP behind Cloudflare", () => {
    expect(clientIp(new Headers({ "CF-Connecting-IP": "2001:db8::1" }), SOCKET, "cloudflare")).toBe("2001:db8::1");
  });

  it("reads Fly-Client-IP behind Fly", () => {
    expect(clientIp(new Headers({ "Fly-Client-IP": "203.0.113.5" }), SOCKET, "fly")).toBe("203.0.113.5");
  });

  it("falls back to the socket when the trusted header is missing or garbage", () => {
    expect(clientIp(new Headers(), SOCKET, "cloudflare")).toBe(SOCKET);
    expect(clientIp(new Headers({ "fly-client-ip": "not an ip" }), SOCKET, "fly")).toBe(SOCKET);
  });

  it("takes the Nth X-Forwarded-For entry from the right", () => {
    const headers = new Headers({ "x-forwarded-for": "6.6.6.6, 203.0.113.1, 10.0.0.2" });
    expect(clientIp(headers, SOCKET, 1)).toBe("10.0.0.2");
    expect(clientIp(headers, SOCKET, 2)).toBe("203.0.113.1");
    expect(clientIp(headers, SOCKET, 3)).toBe("6.6.6.6");
  });

  it("does not let a client-written prefix of X-Forwarded-For win (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.ipV4(), fc.string({ maxLength: 20 })), { maxLength: 5 }), fc.ipV4(), (spoofed, real) => {
        // One trusted proxy appended the address it saw to whatever the client sent.
        const header = [...spoofed.map((s) => s.replace(/,/g, "")), real].join(", ");
        expect(clientIp(new Headers({ "x-forwarded-for": header }), SOCKET, 1)).toBe(real);
      }),
    );
  });

  it("joins repeated X-Forwarded-For headers in order", () => {
    const headers = new Headers();
    headers.append("x-forwarded-for", "6.6.6.6");
    headers.append("x-forwarded-for", "203.0.113.1");
    expect(clientIp(headers, SOCKET, 1)).toBe("203.0.113.1");
    expect(clientIp({ "X-Forwarded-For": ["6.6.6.6", "203.0.113.1"] }, SOCKET, 1)).toBe("203.0.113.1");
  });

  it("uses the socket when there are fewer hops than trusted proxies", () => {
    expect(clientIp(new Headers({ "x-forwarded-for": "203.0.113.1" }), SOCKET, 2)).toBe(SOCKET);
    expect(clientIp(new Headers(), SOCKET, 1)).toBe(SOCKET);
  });
});

describe("normaliseIp", () => {
  it.each([
    ["::ffff:198.51.100.7", "198.51.100.7"],
    ["198.51.100.7:51234", "198.51.100.7"],
    ["[2001:DB8::1]:443", "2001:db8::1"],
    ["fe80::1%eth0", "fe80::1"],
    [" 203.0.113.1 ", "203.0.113.1"],
  ])("%s → %s", (raw, expected) => {
    expect(normaliseIp(raw)).toBe(expected);
  });

  it.each(["", "unknown", "1.2.3", "999.1.1.1", "<script>", "2001:db8::1::2"])("rejects %j", (raw) => {
    expect(normaliseIp(raw)).toBeUndefined();
  });

  it("maps a missing socket address to one shared bucket", () => {
    expect(clientIp(new Headers(), undefined, undefined)).toBe("unknown");
  });
});

describe("ipRateLimitIdentifier", () => {
  it("keeps IPv4 addresses", () => {
    expect(ipRateLimitIdentifier("203.0.113.1")).toBe("203.0.113.1");
  });

  it("groups IPv6 addresses by /64", () => {
    const a = ipRateLimitIdentifier("2001:db8:1:2:aaaa::1");
    expect(a).toBe("2001:0db8:0001:0002::/64");
    expect(ipRateLimitIdentifier("2001:db8:1:2:ffff:ffff:ffff:ffff")).toBe(a);
    expect(ipRateLimitIdentifier("2001:db8:1:3::1")).not.toBe(a);
    expect(ipRateLimitIdentifier("::1")).toBe("0000:0000:0000:0000::/64");
    expect(ipRateLimitIdentifier("64:ff9b::198.51.100.7")).toBe("0064:ff9b:0000:0000::/64");
  });
});

describe("trustProxySchema", () => {
  it.each([
    [undefined, undefined],
    ["", undefined],
    ["cloudflare", "cloudflare"],
    [" Fly ", "fly"],
    ["2", 2],
    ["0", 0],
  ])("parses %j", (raw, expected) => {
    expect(trustProxySchema.parse(raw)).toBe(expected);
  });

  it.each(["true", "yes", "-1", "1.5", "99", "aws"])("rejects %j", (raw) => {
    expect(trustProxySchema.safeParse(raw).success).toBe(false);
  });
});
