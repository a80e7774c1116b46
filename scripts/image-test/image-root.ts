import { mkdirSync } from "node:fs";
import path from "node:path";
import { must, run } from "@/scripts/image-test/exec";
import { unmountUnder } from "@/scripts/image-test/mounts";

/**
 * The built image's filesystem, ready to chroot into: a container created from it (never
 * started: `podman run` cannot work on this machine's hybrid cgroups) and mounted, so writes go
 * to its own layer, with /proc and /dev as an engine would provide them. close() undoes all of it.
 */
export interface ImageRoot {
  root: string;
  close(): Promise<void>;
}

export async function openImageRoot(image: string, name: string): Promise<ImageRoot> {
  await run("podman", ["rm", "-f", name], { timeoutMs: 60_000 });
  await must("podman", ["create", "--name", name, image], { timeoutMs: 60_000 });
  let root = "";
  const close = async () => {
    if (root) await unmountUnder(root);
    await run("podman", ["umount", name], { timeoutMs: 60_000 });
    await run("podman", ["rm", "-f", name], { timeoutMs: 60_000 });
  };
  try {
    root = (await must("podman", ["mount", name], { timeoutMs: 60_000 })).stdout.trim();
    for (const dir of ["proc", "dev"]) mkdirSync(path.join(root, dir), { recursive: true });
    await must("mount", ["-t", "proc", "proc", path.join(root, "proc")], { timeoutMs: 15_000 });
    await must("mount", ["--bind", "/dev", path.join(root, "dev")], { timeoutMs: 15_000 });
    return { root, close };
  } catch (error) {
    await close();
    throw error;
  }
}
