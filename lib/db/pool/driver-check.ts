import "server-only";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

/**
 * The pool relies on how postgres.js 3.4.9 uses a `socket` option, buffers its writes and ends a
 * client (slot.ts, docs/architecture.md "The driver"); its tests prove that for this version
 * only. package.json pins it exactly; this refuses to start pools on another one (a hand-edited
 * node_modules, a stale image), with a message that says what to do.
 */
export const PINNED_DRIVER_VERSION = "3.4.9";

/** The version of node_modules/postgres nearest to `from` (the server's working directory), or null. */
export function installedDriverVersion(from = process.cwd()): string | null {
  // The ignore comment keeps Turbopack from tracing "every file under the working directory"
  // into the standalone output (it shipped the whole repository, tests and docs included, in the image).
  let dir = path.resolve(/* turbopackIgnore: true */ from);
  for (let depth = 0; depth < 6; depth++) {
    const file = path.join(dir, "node_modules", "postgres", "package.json");
    if (existsSync(file)) {
      const manifest = JSON.parse(readFileSync(file, "utf8")) as { name?: string; version?: string };
      return manifest.name === "postgres" && typeof manifest.version === "string" ? manifest.version : null;
    }
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return null;
}

let checkedInstalled = false;

/** Throws when `version` (by default: what is installed, checked once per process) is not the pinned one. */
export function assertSupportedDriver(version?: string | null): void {
  if (version === undefined) {
    if (checkedInstalled) return;
    version = installedDriverVersion();
    checkedInstalled = true;
  }
  if (version !== null && version !== PINNED_DRIVER_VERSION) {
    throw new Error(
      `[sluice] postgres.js ${version} is installed, but the pools are built and tested for ${PINNED_DRIVER_VERSION} exactly: run npm ci (docs/architecture.md, "The driver")`,
    );
  }
}
