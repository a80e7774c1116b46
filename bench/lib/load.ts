import autocannon from "autocannon";

/**
 * One autocannon run, with latencies kept per status code: autocannon's own
 * histogram mixes fast 503s with slow 200s, and the overload scenario needs
 * them apart.
 */
export interface LoadOptions {
  url: string;
  connections: number;
  durationS: number;
  headers?: Record<string, string>;
  method?: "GET" | "POST";
  body?: string;
  /** Different request paths, cycled per request (cache-busting, spreading keys). */
  paths?: string[];
  timeoutS?: number;
}

export interface StatusLatency {
  count: number;
  p50: number;
  p99: number;
  max: number;
}

export interface LoadResult {
  requests: number;
  requestsPerS: number;
  p50: number;
  p99: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  byStatus: Record<string, StatusLatency>;
}

export function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

const round = (n: number) => Math.round(n * 100) / 100;

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const latencies: Record<string, number[]> = {};
  const all: number[] = [];
  const requests = options.paths?.map((path) => ({ path, method: options.method ?? "GET", body: options.body, headers: options.headers }));
  const instance = autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.durationS,
    timeout: options.timeoutS ?? 10,
    headers: options.headers,
    method: options.method ?? "GET",
    body: options.body,
    requests,
  });
  instance.on("response", (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
    (latencies[statusCode] ??= []).push(responseTime);
    all.push(responseTime);
  });
  const result = await instance;
  all.sort((a, b) => a - b);
  const byStatus: Record<string, StatusLatency> = {};
  for (const [status, values] of Object.entries(latencies)) {
    values.sort((a, b) => a - b);
    byStatus[status] = {
      count: values.length,
      p50: round(percentile(values, 0.5)),
      p99: round(percentile(values, 0.99)),
      max: round(values.at(-1) ?? 0),
    };
  }
  return {
    requests: all.length,
    requestsPerS: round(all.length / options.durationS),
    p50: round(percentile(all, 0.5)),
    p99: round(percentile(all, 0.99)),
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    byStatus,
  };
}
