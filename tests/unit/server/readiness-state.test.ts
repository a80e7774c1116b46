import { describe, expect, it } from "vitest";
import type { Readiness } from "@/lib/core/readiness";
import { sharedProbe, withLiveState } from "@/lib/server/9-readiness-state";

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe("sharedProbe", () => {
  it("runs one probe for every caller while it is in flight", async () => {
    let runs = 0;
    const gate = deferred<string>();
    const read = sharedProbe(
      () => {
        runs++;
        return gate.promise;
      },
      { ttlMs: 1000, now: () => 0 },
    );
    const answers = Promise.all(Array.from({ length: 50 }, () => read()));
    gate.resolve("ok");
    expect(await answers).toEqual(Array(50).fill("ok"));
    expect(runs).toBe(1);
  });

  it("keeps the answer for ttlMs from when its probe started, then probes again", async () => {
    let clock = 0;
    let runs = 0;
    const read = sharedProbe(async () => `run ${++runs}`, { ttlMs: 1000, now: () => clock });
    expect(await read()).toBe("run 1");
    clock = 999;
    expect(await read()).toBe("run 1");
    clock = 1000;
    expect(await read()).toBe("run 2");
    expect(runs).toBe(2);
  });

  it("keeps no failed probe: the next caller probes afresh", async () => {
    let runs = 0;
    const read = sharedProbe(
      async () => {
        runs++;
        if (runs === 1) throw new Error("boom");
        return "ok";
      },
      { ttlMs: 1000, now: () => 0 },
    );
    await expect(read()).rejects.toThrow("boom");
    expect(await read()).toBe("ok");
  });
});

describe("withLiveState", () => {
  const healthy: Readiness = {
    status: "ok",
    failed: [],
    checks: { "db:readonly": { ok: true, latencyMs: 1 }, "db:app": { ok: true, latencyMs: 1 }, migrations: { ok: true } },
  };
  const allHealthy = { readonly: "healthy", app: "healthy" } as const;

  it("passes a healthy report through unchanged", () => {
    expect(withLiveState(healthy, { pools: allHealthy, draining: false })).toEqual(healthy);
  });

  it("fails at once for a pool that lost its database since the probe", () => {
    const report = withLiveState(healthy, { pools: { ...allHealthy, app: "reconnecting" }, draining: false });
    expect(report.status).toBe("fail");
    expect(report.failed).toEqual(["db:app"]);
    expect(report.checks["db:app"]).toMatchObject({ ok: false, health: "reconnecting" });
    expect(report.checks["db:readonly"]).toEqual(healthy.checks["db:readonly"]);
  });

  it("fails while draining, naming the shutdown", () => {
    const report = withLiveState(healthy, { pools: allHealthy, draining: true });
    expect(report).toMatchObject({ status: "fail", failed: ["shutdown"] });
  });

  it("keeps what the probe found failing", () => {
    const probed: Readiness = { ...healthy, status: "fail", failed: ["migrations"], checks: { ...healthy.checks, migrations: { ok: false } } };
    expect(withLiveState(probed, { pools: allHealthy, draining: false })).toMatchObject({ status: "fail", failed: ["migrations"] });
  });
});
