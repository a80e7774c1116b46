import "server-only";
import type { ChainableCommander } from "ioredis";
import type { CredentialRead } from "@/lib/core/request-context";
import type { Alongside } from "@/lib/ratelimit/limiter";
import { keys } from "@/lib/redis/keys";
import { appRedis, appStore } from "@/lib/redis/runtime";
import { LuaScript } from "@/lib/redis/scripts";

export type { CredentialRead } from "@/lib/core/request-context";

/**
 * A presented credential's record and its user's cached state (lib/auth/user-state.ts) in one
 * round trip: the script reads the token or session record, takes the user id from it, and reads
 * that user's state, change counter and in-flight marker. Those three keys are derived inside the
 * script, not passed as KEYS — the user id is only known once the record is read — which a
 * standalone Redis (what Sluice runs on) allows; a Redis Cluster would not.
 *
 * The user id is checked against the key-part alphabet before it names a key; the record itself
 * is validated in JavaScript (tokens.ts, sessions.ts), as before.
 */
const CREDENTIAL_READ = new LuaScript(`
local record = redis.call('GET', KEYS[1])
if not record then return {} end
local ok, decoded = pcall(cjson.decode, record)
local userId = ok and type(decoded) == 'table' and decoded['userId']
if type(userId) ~= 'string' or not string.match(userId, '^[%x%-]+$') then return {record} end
return {record, redis.call('GET', ARGV[1] .. userId), redis.call('GET', ARGV[2] .. userId), redis.call('EXISTS', ARGV[3] .. userId)}`);

function prefixArgs(): string[] {
  const prefixes = keys.userStatePrefixes();
  return [prefixes.state, prefixes.generation, prefixes.pending];
}

function fromReply(recordKey: string, reply: unknown): CredentialRead {
  const [record, state, generation, pending] = Array.isArray(reply) ? (reply as unknown[]) : [];
  const text = (value: unknown) => (typeof value === "string" ? value : null);
  return { recordKey, record: text(record), state: text(state), generation: text(generation), pending: Number(pending) === 1 };
}

/** One round trip. Redis errors propagate: the caller fails closed. */
export async function readCredential(recordKey: string): Promise<CredentialRead> {
  const redis = appRedis();
  if (redis) return fromReply(recordKey, await CREDENTIAL_READ.run(redis, [recordKey], prefixArgs()));
  // Development's in-memory store: no user-state cache (one process; Postgres answers every time).
  return { recordKey, record: await appStore().get(recordKey), state: null, generation: null, pending: true };
}

/** The same read, to travel in the rate limiter's pipeline (lib/ratelimit/limiter.ts, limitWith). */
export function credentialReadAlongside(recordKey: string): Alongside<CredentialRead> {
  return {
    queue: (pipeline: ChainableCommander) => CREDENTIAL_READ.queue(pipeline, [recordKey], prefixArgs()),
    parse: async ([error, reply]) => {
      if (error) throw error;
      return fromReply(recordKey, reply);
    },
    alone: () => readCredential(recordKey),
  };
}
