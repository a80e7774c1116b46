import "server-only";
import { z } from "zod";
import { ROLES } from "@/lib/db/roles";

/**
 * What each instance publishes to Redis every few seconds, validated when read
 * back: another (possibly older or newer) instance wrote it.
 */
export const heartbeatPoolSchema = z.object({
  size: z.number().int().nonnegative(),
  min: z.number().int().nonnegative(),
  open: z.number().int().nonnegative(),
  inUse: z.number().int().nonnegative(),
  idle: z.number().int().nonnegative(),
  waiting: z.number().int().nonnegative(),
  served: z.number().nonnegative(),
  rejected: z.number().nonnegative(),
  timedOut: z.number().nonnegative(),
  waitMsP99: z.number().nonnegative(),
  health: z.enum(["healthy", "reconnecting", "down"]),
  target: z.enum(["direct", "pooler"]),
  fallbackToDirect: z.boolean(),
});

export const heartbeatSchema = z.object({
  instance: z.string().min(1).max(100),
  pid: z.number().int(),
  version: z.string().max(40),
  startedAt: z.iso.datetime(),
  at: z.iso.datetime(),
  pools: z.partialRecord(z.enum(ROLES), heartbeatPoolSchema),
});

export type HeartbeatPool = z.infer<typeof heartbeatPoolSchema>;
export type Heartbeat = z.infer<typeof heartbeatSchema>;
