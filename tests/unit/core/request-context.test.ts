import { describe, expect, it } from "vitest";
import { currentRequestContext, recordPoolWait, runInRequestContext } from "@/lib/core/request-context";

describe("request context", () => {
  it("sums pool waits recorded anywhere below the request, across awaits", async () => {
    const total = await runInRequestContext("req-1", async (context) => {
      recordPoolWait(3);
      await new Promise((r) => setTimeout(r, 5));
      await Promise.all([Promise.resolve().then(() => recordPoolWait(2)), new Promise<void>((r) => setTimeout(() => (recordPoolWait(1.5), r()), 1))]);
      expect(currentRequestContext()).toBe(context);
      return context;
    });
    expect(total).toMatchObject({ requestId: "req-1", poolWaitMs: 6.5, poolAcquires: 3 });
  });

  it("keeps concurrent requests apart", async () => {
    const [a, b] = await Promise.all([
      runInRequestContext("a", async (context) => {
        await new Promise((r) => setTimeout(r, 5));
        recordPoolWait(10);
        return context.poolWaitMs;
      }),
      runInRequestContext("b", async (context) => {
        recordPoolWait(1);
        await new Promise((r) => setTimeout(r, 10));
        return context.poolWaitMs;
      }),
    ]);
    expect([a, b]).toEqual([10, 1]);
  });

  it("outside a request, recording is a no-op", () => {
    expect(currentRequestContext()).toBeUndefined();
    expect(() => recordPoolWait(5)).not.toThrow();
  });
});
