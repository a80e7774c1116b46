import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, inject, it } from "vitest";
import { createRedisClient, quitClient } from "@/lib/redis/client";
import { createKeys } from "@/lib/redis/keys";
import { MemoryStore } from "@/lib/redis/memory-store";
import { RedisStore } from "@/lib/redis/store";
import type { KvStore } from "@/lib/redis/types";

/**
 * One contract, two implementations: whatever the app relies on must behave
 * the same against Redis and against the in-memory development fallback.
 */
const redis = createRedisClient({ url: inject("redisUrl"), connectionName: "store-contract-test" });
afterAll(() => quitClient(redis));

const implementations: Array<[string, () => KvStore]> = [
  ["redis", () => new RedisStore(redis)],
  ["memory", () => new MemoryStore()],
];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(implementations)("KvStore contract: %s", (_name, make) => {
  const store = make();
  const root = createKeys(`store-contract-${randomUUID().slice(0, 8)}`).root;
  let n = 0;
  const key = (label: string) => `${root}${label}:${(n += 1)}`;
  afterAll(async () => {
    const leftovers = await store.scanKeys(`${root}*`, 10_000);
    await store.del(...leftovers);
  });

  describe("strings", () => {
    it("gets what was set, null when missing", async () => {
      const k = key("s");
      expect(await store.get(k)).toBeNull();
      expect(await store.set(k, "v1")).toBe(true);
      expect(await store.get(k)).toBe("v1");
      expect(await store.set(k, "v2")).toBe(true);
      expect(await store.get(k)).toBe("v2");
    });

    it("honours onlyIfAbsent", async () => {
      const k = key("nx");
      expect(await store.set(k, "first", { onlyIfAbsent: true })).toBe(true);
      expect(await store.set(k, "second", { onlyIfAbsent: true })).toBe(false);
      expect(await store.get(k)).toBe("first");
    });

    it("expires keys after their TTL and reports PTTL like Redis", async () => {
      const k = key("ttl");
      await store.set(k, "x", { ttlMs: 150 });
      const pttl = await store.pttl(k);
      expect(pttl).toBeGreaterThan(0);
      expect(pttl).toBeLessThanOrEqual(150);
      await sleep(250);
      expect(await store.get(k)).toBeNull();
      expect(await store.pttl(k)).toBe(-2);
      await store.set(k, "y");
      expect(await store.pttl(k)).toBe(-1);
    });

    it("drops an old TTL when a key is set again without one", async () => {
      const k = key("reset-ttl");
      await store.set(k, "x", { ttlMs: 100 });
      await store.set(k, "y");
      await sleep(150);
      expect(await store.get(k)).toBe("y");
    });

    it("reads many keys at once, null for missing ones and other types", async () => {
      const [a, b, c, s] = [key("a"), key("b"), key("c"), key("set")];
      await store.set(a, "1");
      await store.set(c, "3");
      await store.sAdd(s, ["m"]);
      expect(await store.mget([a, b, c, s])).toEqual(["1", null, "3", null]);
      expect(await store.mget([])).toEqual([]);
    });

    it("deletes and counts what existed", async () => {
      const [a, b] = [key("del"), key("del")];
      await store.set(a, "1");
      expect(await store.del(a, b)).toBe(1);
      expect(await store.del()).toBe(0);
      expect(await store.get(a)).toBeNull();
    });

    it("sets expiry on existing keys only", async () => {
      const k = key("expire");
      expect(await store.expire(k, 1000)).toBe(false);
      await store.set(k, "x");
      expect(await store.expire(k, 100)).toBe(true);
      await sleep(200);
      expect(await store.get(k)).toBeNull();
    });

    it("rejects nonsense TTLs", async () => {
      await expect(store.set(key("bad"), "x", { ttlMs: 0 })).rejects.toThrow(RangeError);
      await expect(store.set(key("bad"), "x", { ttlMs: 1.5 })).rejects.toThrow(RangeError);
      await expect(store.expire(key("bad"), -1)).rejects.toThrow(RangeError);
    });
  });

  describe("counters", () => {
    it("increments from zero by any integer", async () => {
      const k = key("incr");
      expect(await store.incr(k)).toBe(1);
      expect(await store.incr(k)).toBe(2);
      expect(await store.incr(k, { by: 5 })).toBe(7);
      expect(await store.incr(k, { by: -2 })).toBe(5);
      expect(await store.get(k)).toBe("5");
    });

    it("sets the TTL once, so the window is not stretched by later hits", async () => {
      const k = key("window");
      await store.incr(k, { ttlMs: 300 });
      await sleep(150);
      await store.incr(k, { ttlMs: 300 });
      expect(await store.pttl(k)).toBeLessThanOrEqual(160);
      await sleep(250);
      expect(await store.get(k)).toBeNull();
      expect(await store.incr(k, { ttlMs: 300 })).toBe(1);
    });

    it("adds a TTL to a counter that has none", async () => {
      const k = key("no-ttl");
      await store.incr(k);
      await store.incr(k, { ttlMs: 5000 });
      expect(await store.pttl(k)).toBeGreaterThan(0);
    });

    it("refuses to increment a non-integer", async () => {
      const k = key("text");
      await store.set(k, "abc");
      await expect(store.incr(k)).rejects.toThrow(/not an integer/);
    });
  });

  describe("sets", () => {
    it("adds, removes and lists members, counting real changes", async () => {
      const k = key("set");
      expect(await store.sAdd(k, ["a", "b", "a"])).toBe(2);
      expect(await store.sAdd(k, ["b", "c"])).toBe(1);
      expect((await store.sMembers(k)).sort()).toEqual(["a", "b", "c"]);
      expect(await store.sRem(k, ["a", "zzz"])).toBe(1);
      expect((await store.sMembers(k)).sort()).toEqual(["b", "c"]);
      expect(await store.sAdd(k, [])).toBe(0);
      expect(await store.sRem(k, [])).toBe(0);
    });

    it("reads a missing set as empty and drops a set emptied out", async () => {
      const k = key("empty-set");
      expect(await store.sMembers(k)).toEqual([]);
      await store.sAdd(k, ["only"]);
      await store.sRem(k, ["only"]);
      expect(await store.pttl(k)).toBe(-2);
    });

    it("expires the whole set when asked", async () => {
      const k = key("set-ttl");
      await store.sAdd(k, ["a"], { ttlMs: 100 });
      await sleep(200);
      expect(await store.sMembers(k)).toEqual([]);
    });
  });

  describe("hashes", () => {
    it("merges fields and reads them back", async () => {
      const k = key("hash");
      await store.hSet(k, { a: "1", b: "2" });
      await store.hSet(k, { b: "3", c: "4" });
      expect(await store.hGetAll(k)).toEqual({ a: "1", b: "3", c: "4" });
      await store.hSet(k, {});
      expect(await store.hGetAll(key("missing-hash"))).toEqual({});
    });

    it("expires the hash when asked", async () => {
      const k = key("hash-ttl");
      await store.hSet(k, { a: "1" }, { ttlMs: 100 });
      expect(await store.pttl(k)).toBeGreaterThan(0);
      await sleep(200);
      expect(await store.hGetAll(k)).toEqual({});
    });
  });

  describe("types and scanning", () => {
    it("answers WRONGTYPE on a type clash, as Redis does", async () => {
      const k = key("typed");
      await store.sAdd(k, ["a"]);
      await expect(store.get(k)).rejects.toThrow(/WRONGTYPE/);
      await expect(store.hGetAll(k)).rejects.toThrow(/WRONGTYPE/);
      await expect(store.incr(k)).rejects.toThrow(/WRONGTYPE/);
      // SET replaces whatever was there.
      await store.set(k, "s");
      expect(await store.get(k)).toBe("s");
    });

    it("finds keys by glob pattern", async () => {
      const prefix = key("scan");
      await store.set(`${prefix}:a`, "1");
      await store.hSet(`${prefix}:b`, { f: "1" });
      await store.set(`${prefix}x:c`, "1");
      expect((await store.scanKeys(`${prefix}:*`)).sort()).toEqual([`${prefix}:a`, `${prefix}:b`]);
      expect(await store.scanKeys(`${prefix}:?`, 1)).toHaveLength(1);
    });
  });
});
