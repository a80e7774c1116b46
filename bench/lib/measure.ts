import { processCpuUs, processTreeCpuUs } from "@/bench/lib/process-cpu";

/** The processes a scenario's CPU figures come from. */
export interface Pids {
  server: number;
  postgres: number;
  redis: number;
}

/** CPU microseconds per completed request, from each process's own counters. */
export interface CpuPerRequest {
  server: number;
  postgres: number;
  redis: number;
  generator: number;
}

function snapshot(pids: Pids) {
  return { server: processCpuUs(pids.server), postgres: processTreeCpuUs(pids.postgres), redis: processCpuUs(pids.redis) };
}

/**
 * Runs a load and divides the CPU each process spent during it by the
 * requests completed: the figure that stays put when the machine is shared.
 */
export async function withCpu<T extends { generatorCpuMs: number }>(
  pids: Pids,
  requestsOf: (result: T) => number,
  run: () => Promise<T>,
): Promise<T & { cpuUsPerRequest: CpuPerRequest }> {
  const before = snapshot(pids);
  const result = await run();
  const after = snapshot(pids);
  const n = Math.max(1, requestsOf(result));
  const per = (us: number) => Math.round(us / n);
  return {
    ...result,
    cpuUsPerRequest: {
      server: per(after.server - before.server),
      postgres: per(after.postgres - before.postgres),
      redis: per(after.redis - before.redis),
      generator: per(result.generatorCpuMs * 1000),
    },
  };
}
