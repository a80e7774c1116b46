import { spawn, type ChildProcess } from "node:child_process";
import { run, type RunResult } from "@/scripts/image-test/exec";
import type { ImageConfig } from "@/scripts/image-test/image-config";

/**
 * Runs a command the way a container engine would, minus the namespaces: chrooted into the
 * image's filesystem, as the image's USER (uid, gid and no other group), in its WORKDIR, with
 * exactly the image's ENV plus the given variables (nothing inherited from this process), on
 * the host's network.
 */
export interface ImageProcessContext {
  root: string;
  config: ImageConfig;
  user: { uid: number; gid: number };
  env: Record<string, string>;
}

function chrootArgs(context: ImageProcessContext, argv: string[]): string[] {
  const { uid, gid } = context.user;
  // chroot(1) always changes to /; the image's sh enters WORKDIR and execs, so the pid stays the command's.
  return [`--userspec=${uid}:${gid}`, `--groups=${gid}`, context.root, "/bin/sh", "-c", 'cd "$0" && exec "$@"', context.config.workdir, ...argv];
}

function processEnv(context: ImageProcessContext): NodeJS.ProcessEnv {
  return { ...context.config.env, ...context.env } as NodeJS.ProcessEnv;
}

/** The image's own ENTRYPOINT + CMD (what `docker run IMAGE` starts). */
export function imageCommand(config: ImageConfig): string[] {
  return [...config.entrypoint, ...config.cmd];
}

/** A command run to completion, as `docker run IMAGE …argv` (with ENTRYPOINT) would run it. */
export function runInImage(context: ImageProcessContext, argv: string[], timeoutMs: number): Promise<RunResult> {
  return run("chroot", chrootArgs(context, [...context.config.entrypoint, ...argv]), { timeoutMs, env: processEnv(context) });
}

/** A command without the ENTRYPOINT, as `docker exec` and HEALTHCHECK run theirs. */
export function execInImage(context: ImageProcessContext, argv: string[], timeoutMs: number): Promise<RunResult> {
  return run("chroot", chrootArgs(context, argv), { timeoutMs, env: processEnv(context) });
}

/** A long-running process (the server); the caller stops it and must await its exit. */
export function spawnInImage(context: ImageProcessContext, argv: string[]): ChildProcess {
  return spawn("chroot", chrootArgs(context, argv), { env: processEnv(context), stdio: ["ignore", "pipe", "pipe"] });
}
