import { readFileSync } from "node:fs";
import path from "node:path";
import { must } from "@/scripts/image-test/exec";

/** What a container engine reads from the image to start it; the test starts it the same way. */
export interface ImageConfig {
  entrypoint: string[];
  cmd: string[];
  workdir: string;
  user: string;
  env: Record<string, string>;
  /** Docker's HEALTHCHECK test: ["CMD", …argv] or ["CMD-SHELL", script]; null when the image has none. */
  healthcheck: { test: string[]; timeoutMs: number } | null;
  stopSignal: string;
  sizeBytes: number;
}

interface Inspected {
  Size: number;
  Config: { Entrypoint?: string[] | null; Cmd?: string[] | null; WorkingDir?: string; User?: string; Env?: string[]; StopSignal?: string };
  HealthCheck?: { Test?: string[]; Timeout?: number } | null;
  Healthcheck?: { Test?: string[]; Timeout?: number } | null;
}

export async function inspectImage(image: string): Promise<ImageConfig> {
  const [info] = JSON.parse((await must("podman", ["image", "inspect", image], { timeoutMs: 30_000 })).stdout) as Inspected[];
  if (!info) throw new Error(`podman image inspect ${image}: nothing`);
  const health = info.HealthCheck ?? info.Healthcheck ?? null;
  const env = Object.fromEntries(
    (info.Config.Env ?? []).map((pair) => {
      const eq = pair.indexOf("=");
      return [pair.slice(0, eq), pair.slice(eq + 1)];
    }),
  );
  return {
    entrypoint: info.Config.Entrypoint ?? [],
    cmd: info.Config.Cmd ?? [],
    workdir: info.Config.WorkingDir || "/",
    user: info.Config.User || "root",
    env,
    // Timeout is in nanoseconds; Docker's default is 30 s.
    healthcheck:
      health?.Test?.length && health.Test[0] !== "NONE" ? { test: health.Test, timeoutMs: health.Timeout ? health.Timeout / 1e6 : 30_000 } : null,
    stopSignal: info.Config.StopSignal || "SIGTERM",
    sizeBytes: info.Size,
  };
}

/** USER as Docker resolves it: names (or numbers) looked up in the image's own passwd and group files. */
export function resolveUser(root: string, user: string): { uid: number; gid: number; name: string } {
  const [userPart = "root", groupPart] = user.split(":");
  const table = (file: string) =>
    readFileSync(path.join(root, "etc", file), "utf8")
      .split("\n")
      .filter(Boolean)
      .map((line) => line.split(":"));
  const passwd = table("passwd");
  const entry = passwd.find((fields) => fields[0] === userPart || fields[2] === userPart);
  if (!entry && !/^\d+$/.test(userPart)) throw new Error(`USER ${user}: no such user in the image's /etc/passwd`);
  const uid = Number(entry ? entry[2] : userPart);
  let gid = Number(entry?.[3] ?? uid);
  if (groupPart) {
    const group = table("group").find((fields) => fields[0] === groupPart || fields[2] === groupPart);
    if (!group && !/^\d+$/.test(groupPart)) throw new Error(`USER ${user}: no such group in the image's /etc/group`);
    gid = Number(group ? group[2] : groupPart);
  }
  return { uid, gid, name: entry?.[0] ?? userPart };
}
