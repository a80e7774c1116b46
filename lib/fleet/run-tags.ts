import "server-only";
import { z } from "zod";
import type { Caller } from "@/lib/core/caller";
import { log } from "@/lib/core/log";
import { instanceId } from "@/lib/db/instance";
import { keys } from "@/lib/redis/keys";
import { appStore } from "@/lib/redis/runtime";

/**
 * Who runs the user SQL on a backend, for the admins' running-queries view. pg_stat_activity
 * knows a backend's role, state and SQL, not the Sluice user behind it: the sandbox tags its
 * transaction here, in Redis so that every instance sees the others' runs (pg_stat_activity is
 * the server's, shared by all of them), keyed by the backend's pid and the transaction's start
 * (pg_stat_activity.xact_start is the same clock reading as now() inside it).
 *
 * Neither key part can be forged by the user's SQL — an application_name could be, since
 * set_config() is PUBLIC — and the start makes a stale tag (an instance that died before
 * untagging, a pid the server reused) match nothing. A tag is best effort: when Redis cannot
 * take it the run goes on and the view shows the backend without a name.
 */
export const RUN_TAG_TTL_MS = 3_600_000;

export const runTagSchema = z.object({
  userId: z.string(),
  email: z.string(),
  via: z.enum(["session", "token"]),
  tokenId: z.string().optional(),
  tokenName: z.string().optional(),
  action: z.enum(["sql.run", "query.run"]),
  /** The saved query's id for query.run. */
  target: z.string().optional(),
  instance: z.string(),
  /** Set by an administrator's signal, so the run can tell its user what ended it. */
  signalled: z.enum(["cancel", "terminate"]).optional(),
});
export type RunTag = z.infer<typeof runTagSchema>;

/** The backend a sandbox transaction runs on, as it reads itself. */
export interface BackendTransaction {
  pid: number;
  /** now() in the transaction, in epoch microseconds (text: more digits than a double holds). */
  xactStartUs: string;
}

export function runTagOf(caller: Caller, action: RunTag["action"], target?: string | null): RunTag {
  return {
    userId: caller.userId,
    email: caller.email,
    via: caller.via,
    ...(caller.tokenId ? { tokenId: caller.tokenId } : {}),
    ...(caller.tokenName ? { tokenName: caller.tokenName } : {}),
    action,
    ...(target ? { target } : {}),
    instance: instanceId(),
  };
}

const warn = (what: string) => (error: unknown) =>
  log.warn({ component: "run-tags", err: error instanceof Error ? error.message : String(error) }, what);

/**
 * Tags the transaction and returns the untag, which waits for the tag's write first (so a quick
 * run cannot leave its tag behind) and never throws. Neither holds up the run.
 */
export function tagRun(backend: BackendTransaction, tag: RunTag): () => void {
  const key = keys.runTagKey(backend.pid, backend.xactStartUs);
  const written = appStore().set(key, JSON.stringify(tag), { ttlMs: RUN_TAG_TTL_MS }).catch(warn("could not tag a run for the running-queries view"));
  return () => {
    void written.then(() => appStore().del(key)).catch(warn("could not untag a run"));
  };
}

/** One backend's tag, for the run itself to read after its connection was cut. */
export async function readRunTag(backend: BackendTransaction): Promise<RunTag | null> {
  return (await readRunTags([backend])).get(backend.pid) ?? null;
}

/** Marks the run as signalled before the signal is sent; a run without a tag stays without one. */
export async function markSignalled(backend: BackendTransaction, signal: NonNullable<RunTag["signalled"]>): Promise<void> {
  const tag = await readRunTag(backend);
  if (tag)
    await appStore().set(keys.runTagKey(backend.pid, backend.xactStartUs), JSON.stringify({ ...tag, signalled: signal }), { ttlMs: RUN_TAG_TTL_MS });
}

/** The tags of these backends' transactions; a backend without one (or one unreadable) maps to nothing. */
export async function readRunTags(backends: readonly BackendTransaction[]): Promise<Map<number, RunTag>> {
  const found = new Map<number, RunTag>();
  if (backends.length === 0) return found;
  const values = await appStore().mget(backends.map((b) => keys.runTagKey(b.pid, b.xactStartUs)));
  values.forEach((raw, i) => {
    if (raw === null) return;
    try {
      found.set(backends[i]!.pid, runTagSchema.parse(JSON.parse(raw)));
    } catch {
      // Not ours to fail on: the backend is shown without a name.
    }
  });
  return found;
}
