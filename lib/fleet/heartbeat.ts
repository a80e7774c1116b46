import "server-only";
import { singleton } from "@/lib/core/singleton";
import { instanceId } from "@/lib/db/instance";
import { samplePools, type PoolSnapshot } from "@/lib/fleet/pool-stats";
import { ROLES, type Role } from "@/lib/db/roles";
import { log } from "@/lib/core/log";
import { keys as defaultKeys, type RedisKeys } from "@/lib/redis/keys";
import { appStore } from "@/lib/redis/runtime";
import type { KvStore } from "@/lib/redis/types";
import { SAMPLE_EVERY_MS } from "@/lib/fleet/pool-history";
import { recordRecentError } from "@/lib/fleet/recent-errors";
import { heartbeatSchema, type Heartbeat, type HeartbeatPool } from "@/lib/fleet/heartbeat-schema";
import { APP_VERSION } from "@/lib/fleet/versions";

/**
 * Every instance publishes its pool numbers to Redis under a key that expires
 * unless refreshed, so the fleet is simply "the keys that exist": a crashed
 * instance disappears within FLEET_TTL_MS without anyone cleaning up.
 */
export const HEARTBEAT_EVERY_MS = SAMPLE_EVERY_MS;
export const FLEET_TTL_MS = 15_000;
const MAX_INSTANCES = 500;

export function buildHeartbeat(local: Partial<Record<Role, PoolSnapshot>>, startedAt: Date, now = new Date()): Heartbeat {
  const pools: Partial<Record<Role, HeartbeatPool>> = {};
  for (const role of ROLES) {
    const s = local[role];
    if (!s) continue;
    pools[role] = {
      size: s.size,
      min: s.min,
      open: Math.max(0, s.connections.open),
      inUse: s.inUse,
      idle: s.idle,
      waiting: s.waiting,
      served: s.served,
      rejected: s.rejected,
      timedOut: s.timedOut,
      waitMsP99: s.waitMsP99,
      health: s.health,
      target: s.target,
      fallbackToDirect: s.fallbackToDirect,
    };
  }
  return { instance: instanceId(), pid: process.pid, version: APP_VERSION, startedAt: startedAt.toISOString(), at: now.toISOString(), pools };
}

export async function writeHeartbeat(store: KvStore, keys: RedisKeys, beat: Heartbeat, ttlMs = FLEET_TTL_MS): Promise<void> {
  await store.set(keys.fleetKey(beat.instance), JSON.stringify(beat), { ttlMs });
}

/** Live instances, sorted by name; entries that do not parse are skipped (and logged), never fatal. */
export async function readFleet(store: KvStore, keys: RedisKeys): Promise<Heartbeat[]> {
  const names = await store.scanKeys(keys.fleetPattern(), MAX_INSTANCES);
  const values = await store.mget(names);
  const beats: Heartbeat[] = [];
  values.forEach((raw, i) => {
    if (raw === null) return; // expired between SCAN and MGET
    try {
      beats.push(heartbeatSchema.parse(JSON.parse(raw)));
    } catch {
      log.warn({ key: names[i] }, "ignoring a fleet heartbeat that does not parse");
    }
  });
  return beats.sort((a, b) => a.instance.localeCompare(b.instance));
}

interface HeartbeatState {
  timer: NodeJS.Timeout;
  startedAt: Date;
  /** Consecutive failed writes. */
  failures: number;
}

/** The first tick runs while Redis is still connecting; one miss is noise, two are an outage. */
const REPORT_AFTER_FAILURES = 2;

// On globalThis: started from instrumentation, stopped or inspected from elsewhere, and hot reload must not double it.
const current = singleton("sluiceHeartbeat", (): { state?: HeartbeatState } => ({}));

async function tick(state: HeartbeatState): Promise<void> {
  const local = samplePools();
  try {
    await writeHeartbeat(appStore(), defaultKeys, buildHeartbeat(local, state.startedAt));
    if (state.failures >= REPORT_AFTER_FAILURES) log.info("fleet heartbeat written again");
    state.failures = 0;
  } catch (error) {
    state.failures++;
    // One line per outage, not one every five seconds.
    if (state.failures === REPORT_AFTER_FAILURES) {
      const message = error instanceof Error ? error.message : String(error);
      log.warn({ err: message }, "fleet heartbeat could not be written");
      recordRecentError("fleet", `heartbeat not written: ${message}`);
    }
  }
}

/** Idempotent. Timers are unref'd: the heartbeat never keeps a process alive. */
export function startFleetHeartbeat(): void {
  if (current.state) return;
  const state: HeartbeatState = { timer: setInterval(() => void tick(state), HEARTBEAT_EVERY_MS), startedAt: new Date(), failures: 0 };
  state.timer.unref();
  current.state = state;
  void tick(state);
  // Only alongside Next's own signal handlers: a lone listener would stop the signal from ending the process.
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    if (process.listenerCount(signal) > 0) process.once(signal, () => void stopFleetHeartbeat());
  }
}

/** Stops publishing and removes this instance's key at once instead of waiting for the TTL. */
export async function stopFleetHeartbeat(): Promise<void> {
  const state = current.state;
  if (!state) return;
  clearInterval(state.timer);
  current.state = undefined;
  await appStore()
    .del(defaultKeys.fleetKey(instanceId()))
    .catch(() => 0);
}

export function heartbeatStartedAt(): Date | null {
  return current.state?.startedAt ?? null;
}
