import type { ChildProcess } from "node:child_process";
import { imageCommand, spawnInImage, type ImageProcessContext } from "@/scripts/image-test/in-image";

/** The image's server process, started with its own ENTRYPOINT + CMD; bounded waits only. */
export interface ImageServer {
  pid: number;
  baseUrl: string;
  startedAt: number;
  output(): string;
  /** Resolves with the exit code (or the signal's name) once the process is gone. */
  exited: Promise<number | string>;
  exitedWithin(ms: number): Promise<number | string | "still running">;
  kill(): void;
}

export function startServer(context: ImageProcessContext, port: number): ImageServer {
  const startedAt = Date.now();
  const child: ChildProcess = spawnInImage(context, imageCommand(context.config));
  let output = "";
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-64_000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const exited = new Promise<number | string>((resolve) => child.on("exit", (code, signal) => resolve(code ?? signal ?? "unknown")));
  return {
    pid: child.pid!,
    baseUrl: `http://127.0.0.1:${port}`,
    startedAt,
    output: () => output,
    exited,
    exitedWithin: (ms) => {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<"still running">((resolve) => (timer = setTimeout(() => resolve("still running"), ms)));
      return Promise.race([exited, late]).finally(() => clearTimeout(timer));
    },
    kill: () => {
      try {
        child.kill("SIGKILL");
      } catch {
        // Already gone.
      }
    },
  };
}

/** Polls `path` until it answers `status`, the process dies, or `ms` pass; returns the last status seen. */
export async function waitForStatus(server: ImageServer, path: string, status: number, ms: number): Promise<number | null> {
  const deadline = Date.now() + ms;
  let last: number | null = null;
  let dead = false;
  void server.exited.then(() => (dead = true));
  while (Date.now() < deadline && !dead) {
    last = await fetch(`${server.baseUrl}${path}`, { signal: AbortSignal.timeout(3000) }).then(
      (response) => response.status,
      () => null,
    );
    if (last === status) return last;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return last;
}
