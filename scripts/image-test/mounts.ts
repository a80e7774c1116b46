import { readFileSync } from "node:fs";
import { run } from "@/scripts/image-test/exec";

/** Mount points at or below `root`, deepest first (the order to unmount them in). */
export function mountsUnder(root: string): string[] {
  const points = readFileSync("/proc/mounts", "utf8")
    .split("\n")
    .map((line) => line.split(" ")[1]?.replace(/\\040/g, " "))
    .filter((point): point is string => !!point && (point === root || point.startsWith(`${root}/`)));
  return [...new Set(points)].sort((a, b) => b.length - a.length);
}

/**
 * Unmounts everything below `root` (lazily: a process still holding a file must not make
 * cleanup hang), so that a later `rm -r` can never walk into the host's /dev or /proc.
 */
export async function unmountUnder(root: string): Promise<void> {
  for (const point of mountsUnder(root)) {
    if (point === root) continue;
    await run("umount", ["-l", point], { timeoutMs: 15_000 });
  }
}
