import { createHash } from "node:crypto";
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { must, run } from "@/scripts/image-test/exec";
import { unmountUnder } from "@/scripts/image-test/mounts";

/**
 * A local stand-in for the official `node:<major>-bookworm-slim` (no registry here): a Debian
 * bookworm minbase rootfs with this machine's Node binary and npm at the official image's paths,
 * its `node` user (uid/gid 1000), its entrypoint script, PATH and CMD. Tagged with the exact name
 * the Dockerfile's FROM resolves to, so the committed Dockerfile builds unchanged. Kept between
 * runs: rebuilt only when missing or made from another Node version (the label says which).
 *
 * One addition the real image lacks: this machine reaches the npm registry through a
 * TLS-intercepting egress proxy, so its CA bundle goes in too, named only in npm's global config
 * (/usr/local/etc/npmrc). npm ci in the build stage needs it; nothing at run time reads it.
 */
const LABEL = "sluice.stand-in";
const PATH_VALUE = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

// The official image's docker-entrypoint.sh: a first argument that is a flag or no command runs under node.
const ENTRYPOINT_SH = `#!/bin/sh
set -e
if [ "\${1#-}" != "\${1}" ] || [ -z "$(command -v "\${1}")" ] || { [ -f "\${1}" ] && ! [ -x "\${1}" ]; }; then
  set -- node "$@"
fi
exec "$@"
`;

export async function ensureBaseImage(name: string, log: (line: string) => void): Promise<{ built: boolean; ms: number }> {
  const started = Date.now();
  const caBundle = [process.env.NODE_EXTRA_CA_CERTS, process.env.SSL_CERT_FILE].find((file) => file && existsSync(file));
  const caHash = caBundle ? createHash("sha256").update(readFileSync(caBundle)).digest("hex").slice(0, 12) : null;
  const want = `node-${process.version}${caHash ? `+ca-${caHash}` : ""}`;
  const major = Number(process.version.slice(1).split(".")[0]);
  const tagMajor = /:(\d+)-/.exec(name)?.[1];
  if (tagMajor && Number(tagMajor) !== major) throw new Error(`${name} wants Node ${tagMajor}, this machine has ${process.version}`);

  const existing = await run("podman", ["image", "inspect", "--format", `{{index .Labels "${LABEL}"}}`, name], { timeoutMs: 30_000 });
  if (existing.code === 0 && existing.stdout.trim() === want) {
    log(`base image ${name} (${want}) is cached`);
    return { built: false, ms: Date.now() - started };
  }

  // A stale stand-in (another Node or CA bundle) would linger untagged after the import.
  if (existing.code === 0) await run("podman", ["rmi", name], { timeoutMs: 120_000 });
  log(`preparing base image ${name}: debootstrap bookworm minbase + ${process.execPath} ${process.version}`);
  // /var/tmp, not /tmp: a rootfs is a few hundred MB and /tmp may be a small tmpfs.
  const work = mkdtempSync("/var/tmp/sluice-base-");
  const root = path.join(work, "rootfs");
  try {
    await must("nice", ["debootstrap", "--variant=minbase", "bookworm", root], { timeoutMs: 10 * 60_000 });
    const npmDir = path.resolve(path.dirname(process.execPath), "../lib/node_modules/npm");
    mkdirSync(path.join(root, "usr/local/bin"), { recursive: true });
    cpSync(process.execPath, path.join(root, "usr/local/bin/node"));
    cpSync(npmDir, path.join(root, "usr/local/lib/node_modules/npm"), { recursive: true, dereference: true });
    symlinkSync("../lib/node_modules/npm/bin/npm-cli.js", path.join(root, "usr/local/bin/npm"));
    symlinkSync("../lib/node_modules/npm/bin/npx-cli.js", path.join(root, "usr/local/bin/npx"));
    if (caBundle) {
      mkdirSync(path.join(root, "usr/local/etc/ssl"), { recursive: true });
      cpSync(caBundle, path.join(root, "usr/local/etc/ssl/build-host-ca.crt"));
      writeFileSync(path.join(root, "usr/local/etc/npmrc"), "cafile=/usr/local/etc/ssl/build-host-ca.crt\n");
    }
    writeFileSync(path.join(root, "usr/local/bin/docker-entrypoint.sh"), ENTRYPOINT_SH);
    chmodSync(path.join(root, "usr/local/bin/docker-entrypoint.sh"), 0o755);
    await must("chroot", [root, "groupadd", "--gid", "1000", "node"], { timeoutMs: 30_000 });
    await must("chroot", [root, "useradd", "--uid", "1000", "--gid", "node", "--shell", "/bin/bash", "--create-home", "node"], { timeoutMs: 30_000 });
    // The official slim image ships no apt lists or package cache either.
    for (const dir of ["var/lib/apt/lists", "var/cache/apt"]) rmSync(path.join(root, dir), { recursive: true, force: true });
    mkdirSync(path.join(root, "var/lib/apt/lists/partial"), { recursive: true });

    const changes = [
      `ENV PATH=${PATH_VALUE}`,
      `ENV NODE_VERSION=${process.version.slice(1)}`,
      `LABEL ${LABEL}=${want}`,
      'ENTRYPOINT ["docker-entrypoint.sh"]',
      'CMD ["node"]',
    ].flatMap((change) => ["--change", change]);
    const quoted = changes.map((arg) => `'${arg.replaceAll("'", "'\\''")}'`).join(" ");
    await must("bash", ["-o", "pipefail", "-c", `tar -C '${root}' -c . | podman import ${quoted} - '${name}'`], { timeoutMs: 10 * 60_000 });
    log(`base image ${name} ready in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    return { built: true, ms: Date.now() - started };
  } finally {
    // debootstrap mounts /proc and /sys inside while it works; a failed run can leave them.
    await unmountUnder(work);
    rmSync(work, { recursive: true, force: true });
  }
}
