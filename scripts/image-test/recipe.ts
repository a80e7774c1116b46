import { readFileSync } from "node:fs";

/**
 * What the test reads from the committed deploy files rather than repeating it: the base images
 * the Dockerfile starts FROM (with its ARG defaults applied) and fly.toml's release command.
 */
export function baseImages(dockerfile: string): string[] {
  const text = readFileSync(dockerfile, "utf8");
  const args = new Map<string, string>();
  const stages = new Set<string>();
  const bases = new Set<string>();
  for (const line of text.split("\n")) {
    const arg = /^ARG\s+(\w+)=(\S+)/.exec(line);
    if (arg) args.set(arg[1]!, arg[2]!);
    const from = /^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/i.exec(line);
    if (!from) continue;
    const image = from[1]!.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, a: string | undefined, b: string | undefined) => args.get(a ?? b!) ?? "");
    if (!stages.has(image)) bases.add(qualify(image));
    if (from[2]) stages.add(from[2]);
  }
  return [...bases];
}

/** `node:20-x` → `docker.io/library/node:20-x`, the name podman resolves a short Docker Hub name to. */
function qualify(image: string): string {
  const [first] = image.split("/");
  if (image.includes("/") && (first!.includes(".") || first!.includes(":"))) return image;
  return `docker.io/${image.includes("/") ? image : `library/${image}`}`;
}

export function releaseCommand(flyToml: string): string[] {
  const match = /^\s*release_command\s*=\s*"([^"]+)"/m.exec(readFileSync(flyToml, "utf8"));
  if (!match) throw new Error(`no release_command in ${flyToml}`);
  return match[1]!.trim().split(/\s+/);
}
