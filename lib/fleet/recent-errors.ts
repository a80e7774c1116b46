import "server-only";
import { singleton } from "@/lib/core/singleton";
import { RingBuffer } from "@/lib/fleet/ring-buffer";

/**
 * The last few problems this process saw (pool errors and health changes,
 * route 5xx), for the dashboard's health panel. Kept on globalThis because
 * instrumentation and route handlers are separate server entries that do not
 * share module instances.
 */
export interface RecentError {
  at: string;
  source: string;
  message: string;
}

export const RECENT_ERRORS_CAPACITY = 50;
const MAX_MESSAGE = 300;

function buffer(): RingBuffer<RecentError> {
  return singleton("sluiceRecentErrors", () => new RingBuffer<RecentError>(RECENT_ERRORS_CAPACITY));
}

/** The same problem again within this window is one entry, so a polling reader cannot flood the list. */
export const REPEAT_WINDOW_MS = 60_000;

export function recordRecentError(source: string, message: string, at: Date = new Date()): void {
  const text = message.slice(0, MAX_MESSAGE);
  const recent = buffer()
    .toArray()
    .some((entry) => entry.source === source && entry.message === text && at.getTime() - Date.parse(entry.at) < REPEAT_WINDOW_MS);
  if (!recent) buffer().push({ at: at.toISOString(), source, message: text });
}

/** Newest first. */
export function recentErrors(): RecentError[] {
  return buffer().toArray().reverse();
}
