import { spawn, spawnSync } from "node:child_process";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { migrateDatabase } from "@/db/migrate";
import { seedDatabase, isSeeded, seedMarker } from "@/db/seed";
import { setupDatabase } from "@/db/setup";
import { PortInUseError } from "@/lib/db/embedded";
import { bootstrap, ROOT, say } from "@/scripts/lib/bootstrap";
import { findRedis } from "@/scripts/lib/find-redis";
import { hasEnabledAdmin } from "@/scripts/lib/has-admin";
import { nextDevArgs } from "@/scripts/lib/next-dev-args";

/**
 * `npm run dev`: everything a newcomer needs on a fresh machine. Embedded
 * Postgres unless DATABASE_URL is set, roles + migrations + demo data on first
 * run, Redis from REDIS_URL or a local redis-server, then `next dev`.
 */
const started = performance.now();
const { env, ownerUrl, embedded } = await bootstrap().catch((error: unknown) => {
  // A busy port is the machine's state, not a bug: one line saying what to do, no stack trace.
  if (!(error instanceof PortInUseError)) throw error;
  say(`error: ${error.message}`);
  process.exit(1);
});

await setupDatabase(ownerUrl, env, say);
await migrateDatabase(ownerUrl, env, say);

const marker = await seedMarker(ownerUrl);
if (isSeeded(marker, env.SEED_SCALE)) {
  say("demo data present");
} else if (marker === null && !embedded) {
  // A server the user brought may already have a real schema called `data`; never replace it.
  say("no demo data in this database (run `npm run db:seed` to create schema `data` with it)");
} else {
  say("building the demo dataset (first run only)…");
  await seedDatabase(ownerUrl, env, { scale: env.SEED_SCALE, log: say });
}

await ensureSignInPossible(ownerUrl);

const redis = await findRedis(env.REDIS_URL, say);

const preload = pathToFileURL(path.join(ROOT, "scripts", "peer-address-preload.mjs")).href;
const childEnv = {
  ...process.env,
  NEXT_TELEMETRY_DISABLED: "1",
  DATABASE_URL: ownerUrl,
  // The same peer-address stamp as production, so rate limits key on the real client here too.
  NODE_OPTIONS: [process.env.NODE_OPTIONS, `--import ${preload}`].filter(Boolean).join(" "),
  ...(redis.url ? { REDIS_URL: redis.url } : {}),
};
say(`ready for next in ${((performance.now() - started) / 1000).toFixed(1)}s`);
say(
  `open http://localhost:${env.PORT}${env.HOST === "127.0.0.1" ? " (this machine only; HOST=0.0.0.0 npm run dev to listen on every interface)" : ` (listening on ${env.HOST})`}`,
);

// Loopback only unless asked (HOST=0.0.0.0): the first run creates an admin whose password it prints.
const next = spawn(process.execPath, [path.join(ROOT, "node_modules/next/dist/bin/next"), ...nextDevArgs(env)], {
  cwd: ROOT,
  env: childEnv,
  stdio: "inherit",
});

let stopping = false;
async function stop(code: number) {
  if (stopping) return;
  stopping = true;
  next.kill("SIGTERM");
  await redis.stop();
  await embedded?.stop();
  process.exit(code);
}

next.on("exit", (code) => void stop(code ?? 0));
process.on("SIGINT", () => void stop(0));
process.on("SIGTERM", () => void stop(0));

/**
 * The first run must say how to sign in: with no enabled admin, create one
 * with a generated password, printed once (scripts/create-admin.ts; never a
 * default password). Later runs only check, which costs one query.
 */
async function ensureSignInPossible(databaseUrl: string): Promise<void> {
  if (await hasEnabledAdmin(databaseUrl)) {
    say("sign in with your admin account (another one: `npm run create-admin -- --email you@example.com`)");
    return;
  }
  const created = spawnSync(
    path.join(ROOT, "node_modules", ".bin", "tsx"),
    ["--conditions=react-server", path.join(ROOT, "scripts", "create-admin.ts"), "--if-none"],
    { cwd: ROOT, env: { ...process.env, DATABASE_URL: databaseUrl }, stdio: "inherit" },
  );
  if (created.status !== 0) say("could not create the first admin; run `npm run create-admin -- --email you@example.com`");
}
