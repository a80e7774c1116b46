import "server-only";
import type Redis from "ioredis";
import type { ChainableCommander } from "ioredis";
import type { Ratelimit } from "@upstash/ratelimit";
import { whenReady } from "@/lib/redis/client";
import { isNoScript, sha1 } from "@/lib/redis/scripts";

/**
 * Makes an ioredis client look like the slice of the Upstash REST client that
 * @upstash/ratelimit uses: `evalsha(sha, keys[], args[])` with a fall back to
 * `eval(script, keys[], args[])` on NOSCRIPT (see its `safeEval`), plus get/set.
 *
 * The Redis 7.0 problem: since 2.1 every script starts with
 * `#!lua flags=allow-key-locking`, a flag only Upstash's server knows; Redis
 * rejects it with "Unexpected flag in script shebang". So the adapter rewrites
 * each script before it reaches Redis, and because the library addresses
 * scripts by the SHA-1 of the *original* text (which Redis will never hold), it
 * keeps a map original-SHA → rewritten script/SHA:
 *
 *   evalsha(originalSha)  known   → EVALSHA rewrittenSha (EVAL rewritten on NOSCRIPT)
 *                         unknown → passed through; Redis answers NOSCRIPT and the
 *                                   library calls eval(original) once, which fills the map
 *   eval(original)                → rewrite, remember, run as above
 *
 * Steady state is one EVALSHA per limit call, as with Upstash. A SCRIPT FLUSH or
 * a Redis restart costs one extra EVAL, handled here without the library seeing it.
 *
 * The same rewrite fixes the sliding window's edge (roundPreviousWindowUp below).
 */

/** Shebang flags a stock Redis/Valkey does not know; extend if a future version adds more. */
const UNSUPPORTED_FLAGS = new Set(["allow-key-locking"]);
const MAX_REMEMBERED_SCRIPTS = 256;

export { sha1 };

/**
 * Removes unsupported flags from a `#!lua` shebang. When no flag is left the
 * shebang goes entirely, so the script runs with the classic EVAL semantics it
 * was written for (and on Redis < 7, which knows no shebang). The line is kept
 * as an empty line so Lua error line numbers still match the library source.
 */
export function stripUnsupportedShebang(script: string): string {
  if (!script.startsWith("#!")) return script;
  const newline = script.indexOf("\n");
  const firstLine = newline === -1 ? script : script.slice(0, newline);
  const rest = newline === -1 ? "" : script.slice(newline);
  const match = /^#!lua(?:\s+(.*))?$/.exec(firstLine.trimEnd());
  if (!match) return script;
  const options = (match[1] ?? "").split(/\s+/).filter(Boolean);
  const kept: string[] = [];
  let removed = false;
  for (const option of options) {
    if (!option.startsWith("flags=")) {
      kept.push(option);
      continue;
    }
    const all = option.slice("flags=".length).split(",").filter(Boolean);
    const flags = all.filter((flag) => !UNSUPPORTED_FLAGS.has(flag));
    removed ||= flags.length !== all.length;
    if (flags.length > 0) kept.push(`flags=${flags.join(",")}`);
  }
  if (!removed) return script;
  if (kept.length === 0) return rest;
  return `#!lua ${kept.join(" ")}${rest}`;
}

/**
 * The sliding-window scripts weigh the previous window's count by the part of
 * it still inside the sliding window, and round that *down*:
 * `math.floor((1 - percentageInCurrent) * requestsInPreviousWindow)`. Right
 * after a boundary a spent budget of 8 weighs 7.99…, counts as 7, and one more
 * request is admitted at once — at every window edge, for every identifier
 * (the exactness test's `expected 10 to be 8` was this plus a burst that ran
 * past the edge). Rounding up counts a partly-expired request as still there,
 * so the limiter errs towards refusing, never admitting, and a burst split by
 * an edge is admitted exactly `limit` times until a whole request's share of
 * the window (window / limit) has passed.
 *
 * Applied to every script that has the expression (the multi-region script
 * compares unrounded and is left as it is); one that still rounds the weight
 * down some other way is refused loudly (the limit call then takes its
 * policy's fail mode and logs), so a library update cannot quietly bring the
 * edge back.
 */
const PREVIOUS_WINDOW_ROUNDED_DOWN = /math\.floor\(\(\s*1\s*-\s*percentageInCurrent\s*\)\s*\*\s*requestsInPreviousWindow\s*\)/g;
const PREVIOUS_WINDOW_ROUNDED_UP = "math.ceil((1 - percentageInCurrent) * requestsInPreviousWindow)";

export function roundPreviousWindowUp(script: string): string {
  if (!script.includes("percentageInCurrent")) return script;
  const rewritten = script.replace(PREVIOUS_WINDOW_ROUNDED_DOWN, PREVIOUS_WINDOW_ROUNDED_UP);
  if (/math\.floor\([^\n]*percentageInCurrent/.test(rewritten)) {
    throw new Error(
      "unrecognised sliding-window script from @upstash/ratelimit: re-check its window-edge rounding (lib/ratelimit/ioredis-adapter.ts)",
    );
  }
  return rewritten;
}

interface PreparedScript {
  script: string;
  sha: string;
}

/** A script call of the library held back by hold(), waiting for the caller's pipeline. */
export interface HeldCommand {
  prepared: PreparedScript;
  keys: readonly string[];
  args: string[];
  resolve(reply: unknown): void;
  reject(error: unknown): void;
}

export interface AdapterStats {
  /** evalsha calls answered through the original→rewritten SHA map. */
  mapped: number;
  /** evalsha calls for SHAs the adapter did not know (passed through). */
  passedThrough: number;
  /** Times the rewritten script had to be sent in full (first use, SCRIPT FLUSH, restart). */
  fullEvals: number;
}

type Arg = string | number | boolean | null | undefined | object;

export class IoredisRatelimitAdapter {
  private readonly byOriginalSha = new Map<string, PreparedScript>();
  readonly stats: AdapterStats = { mapped: 0, passedThrough: 0, fullEvals: 0 };

  constructor(readonly client: Redis) {}

  async evalsha<TData = unknown>(sha: string, keys: readonly string[], args: readonly Arg[]): Promise<TData> {
    const prepared = this.byOriginalSha.get(sha);
    // Checked before the first await: hold() relies on this running synchronously.
    if (prepared && this.holding) {
      const holding = this.holding;
      return new Promise<TData>((resolve, reject) => {
        holding.push({ prepared, keys, args: toRedisArgs(args), resolve: resolve as (value: unknown) => void, reject });
      });
    }
    await whenReady(this.client);
    if (prepared) {
      this.stats.mapped += 1;
      return this.run<TData>(prepared, keys, args);
    }
    this.stats.passedThrough += 1;
    return (await this.client.evalsha(sha, keys.length, ...keys, ...toRedisArgs(args))) as TData;
  }

  async eval<TData = unknown>(script: string, keys: readonly string[], args: readonly Arg[]): Promise<TData> {
    await whenReady(this.client);
    return this.run<TData>(this.prepare(script), keys, args);
  }

  /** Loads the rewritten script; returns the SHA the library knows (the original's). */
  async scriptLoad(script: string): Promise<string> {
    await whenReady(this.client);
    const prepared = this.prepare(script);
    await this.client.script("LOAD", prepared.script);
    return sha1(script);
  }

  // Upstash's client JSON-decodes values it reads; the library only uses get/set
  // for dynamic limits, which we leave off, but keep the behaviour faithful.
  async get<TData = string>(key: string): Promise<TData | null> {
    await whenReady(this.client);
    const raw = await this.client.get(key);
    if (raw === null) return null;
    try {
      return JSON.parse(raw) as TData;
    } catch {
      return raw as TData;
    }
  }

  async set(key: string, value: Arg, options: { px?: number; ex?: number; nx?: boolean } = {}): Promise<"OK" | null> {
    await whenReady(this.client);
    const args: Array<string | number> = [];
    if (options.px !== undefined) args.push("PX", options.px);
    else if (options.ex !== undefined) args.push("EX", options.ex);
    if (options.nx) args.push("NX");
    const text = typeof value === "string" ? value : JSON.stringify(value);
    const reply = await this.client.call("SET", key, text, ...args);
    return reply === "OK" ? "OK" : null;
  }

  /**
   * Runs `issue` with the library's script calls held back instead of sent, and hands them to
   * the caller, who sends them in a pipeline of its own next to its own commands: one round trip
   * for both (lib/ratelimit/limiter.ts, limitWith). The library calls `evalsha` synchronously
   * from `limit()`, so the calls are there when `issue` returns. Only scripts the adapter has
   * prepared are held; the first call of a script in this process goes out as usual (and a
   * library that stopped calling synchronously costs its own round trip again, never a wrong
   * answer).
   */
  hold<T>(issue: () => T): { result: T; held: HeldCommand[] } {
    const held: HeldCommand[] = [];
    const outer = this.holding;
    this.holding = held;
    try {
      return { result: issue(), held };
    } finally {
      this.holding = outer;
    }
  }

  /** Adds held calls to the caller's pipeline, in order. */
  queueHeld(pipeline: ChainableCommander, held: readonly HeldCommand[]): void {
    for (const command of held) pipeline.evalsha(command.prepared.sha, command.keys.length, ...command.keys, ...command.args);
  }

  /** Answers a held call with its pipeline reply; NOSCRIPT (a flushed script cache) is retried with the full script. */
  settleHeld(command: HeldCommand, [error, reply]: [Error | null, unknown]): void {
    if (!error) return command.resolve(reply);
    if (!isNoScript(error)) return command.reject(error);
    this.stats.fullEvals += 1;
    this.client.eval(command.prepared.script, command.keys.length, ...command.keys, ...command.args).then(command.resolve, command.reject);
  }

  private holding: HeldCommand[] | null = null;

  private prepare(original: string): PreparedScript {
    const originalSha = sha1(original);
    const known = this.byOriginalSha.get(originalSha);
    if (known) return known;
    const script = roundPreviousWindowUp(stripUnsupportedShebang(original));
    const prepared = { script, sha: sha1(script) };
    // The library has a dozen fixed scripts; the cap only guards against a caller
    // evaluating generated scripts through the adapter.
    if (this.byOriginalSha.size >= MAX_REMEMBERED_SCRIPTS) this.byOriginalSha.clear();
    this.byOriginalSha.set(originalSha, prepared);
    return prepared;
  }

  private async run<TData>(prepared: PreparedScript, keys: readonly string[], args: readonly Arg[]): Promise<TData> {
    const redisArgs = toRedisArgs(args);
    try {
      return (await this.client.evalsha(prepared.sha, keys.length, ...keys, ...redisArgs)) as TData;
    } catch (error) {
      if (!isNoScript(error)) throw error;
      this.stats.fullEvals += 1;
      return (await this.client.eval(prepared.script, keys.length, ...keys, ...redisArgs)) as TData;
    }
  }
}

// The REST client sends args as JSON-ish strings; `null` (used by the library's
// reset script) becomes an empty string rather than the text "null".
function toRedisArgs(args: readonly Arg[]): string[] {
  return args.map((arg) => {
    if (arg === null || arg === undefined) return "";
    if (typeof arg === "string") return arg;
    if (typeof arg === "number" || typeof arg === "boolean") return String(arg);
    return JSON.stringify(arg);
  });
}

type UpstashRedis = ConstructorParameters<typeof Ratelimit>[0]["redis"];

/**
 * The adapter typed as the client @upstash/ratelimit declares. Its type names the
 * whole @upstash/redis surface; the library only calls what the adapter has
 * (checked against @upstash/ratelimit 2.2 and by the integration tests).
 */
export function asUpstashRedis(adapter: IoredisRatelimitAdapter): UpstashRedis {
  return adapter as unknown as UpstashRedis;
}
