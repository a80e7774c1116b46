import { cpSync, existsSync } from "node:fs";
import path from "node:path";

/** `next build` leaves static assets out of the standalone folder; the server there needs them. */
const root = path.resolve(import.meta.dirname, "..");
const distDir = path.join(root, process.env.NEXT_DIST_DIR || ".next");
const standalone = path.join(distDir, "standalone");
if (!existsSync(standalone)) throw new Error("no .next/standalone: run next build first");
cpSync(path.join(distDir, "static"), path.join(standalone, path.basename(distDir), "static"), { recursive: true });
cpSync(path.join(root, "public"), path.join(standalone, "public"), { recursive: true });
cpSync(path.join(root, "scripts", "peer-address-preload.mjs"), path.join(standalone, "peer-address-preload.mjs"));
