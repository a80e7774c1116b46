import type { AppServer } from "@/tests/support/app-server";
import type { Env } from "@/lib/env";
import type { Pids } from "@/bench/lib/measure";

/** What every scenario gets: the services' env, a way to start servers, a token, the durations. */
export interface BenchContext {
  quick: boolean;
  /** Seconds per measured load. */
  durationS: number;
  envVars: Record<string, string>;
  /** The parsed environment of the benchmark's services (role passwords, prefix). */
  env: Env;
  token: string;
  /** Postgres and Redis, for their CPU counters; a scenario adds its server's pid. */
  pids: Omit<Pids, "server">;
  redisUrl: string;
  serverPort: { host: string; port: number };
  startServer(extra: Record<string, string>): Promise<AppServer>;
  say(line: string): void;
}

export interface Target {
  name: string;
  goal: string;
  measured: string;
  met: boolean;
  note?: string;
}

export interface ScenarioResult {
  title: string;
  /** Free-form figures for the JSON file. */
  data: Record<string, unknown>;
  targets: Target[];
  /** Markdown table rows and an optional SVG chart. */
  table: { header: string[]; rows: (string | number)[][] };
  chart?: { file: string; svg: string };
  notes?: string[];
}

/** Distinct order ids, so the benchmark is not one cached row. */
export function orderPaths(prefix: string, count = 500): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}${1 + ((i * 7919) % 100_000)}`);
}

/** The pids a scenario measures: its app server's plus the shared services'. */
export const pidsOf = (ctx: BenchContext, app: AppServer): Pids => ({ ...ctx.pids, server: app.process.pid! });
