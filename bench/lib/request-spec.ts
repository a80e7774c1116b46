/** What a load generator sends (bench/lib/wrk.ts, bench/lib/open-loop.ts): the paths are cycled per request. */
export interface RequestSpec {
  url: string;
  durationS: number;
  paths: string[];
  method?: "GET" | "POST";
  headers?: Record<string, string>;
  body?: string;
  timeoutS?: number;
}
