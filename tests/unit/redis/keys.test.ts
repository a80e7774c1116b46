import { describe, expect, it } from "vitest";
import { createKeys, keys } from "@/lib/redis/keys";

const SHA = "a".repeat(64);

describe("redis keys", () => {
  it("puts every family under sluice:", () => {
    expect(keys.tokenKey(SHA)).toBe(`sluice:tok:${SHA}`);
    expect(keys.sessionKey("s1")).toBe("sluice:sess:s1");
    expect(keys.userTokensKey(42)).toBe("sluice:user-tok:42");
    expect(keys.userSessionsKey("u-1")).toBe("sluice:user-sess:u-1");
    expect(keys.rateLimitPrefix("api")).toBe("sluice:rl:api");
    expect(keys.rateLimitCounterKey("api", "limited", 28_333_333)).toBe("sluice:rlc:api:limited:28333333");
    expect(keys.cacheKey("abc")).toBe("sluice:cache:abc");
    expect(keys.fleetKey("web-1")).toBe("sluice:fleet:web-1");
    expect(keys.fleetPattern()).toBe("sluice:fleet:*");
  });

  it("namespaces everything when asked", () => {
    const scoped = createKeys("test-1");
    expect(scoped.root).toBe("sluice:test-1:");
    expect(scoped.sessionKey("s1")).toBe("sluice:test-1:sess:s1");
    expect(scoped.rateLimitPrefix("api").startsWith(scoped.root)).toBe(true);
  });

  it("refuses parts that could reach into another family or a glob", () => {
    expect(() => keys.sessionKey("a:tok:b")).toThrow();
    expect(() => keys.sessionKey("*")).toThrow();
    expect(() => keys.sessionKey("")).toThrow();
    expect(() => keys.tokenKey("ABC")).toThrow();
    expect(() => createKeys("a:b")).toThrow();
    expect(() => keys.rateLimitCounterKey("api", "allowed", -1)).toThrow();
  });
});
