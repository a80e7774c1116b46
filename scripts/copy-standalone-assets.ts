import { cpSync, existsSync } from "node:fs";
import path from "node:path";

/** `next build` leaves static assets out of the standalone folder; the server there needs them. */
const root = path.resolve(import.meta.dirname, "..");
const standalone = path.join(root, ".next", "standalone");
if (!existsSync(standalone)) throw new Error("no .next/standalone: run next build first");
cpSync(path.join(root, ".next", "static"), path.join(standalone, ".next", "static"), { recursive: true });
cpSync(path.join(root, "public"), path.join(standalone, "public"), { recursive: true });
cpSync(path.join(root, "scripts", "peer-address-preload.mjs"), path.join(standalone, "peer-address-preload.mjs"));
