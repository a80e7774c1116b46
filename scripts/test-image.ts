import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { freePort } from "@/lib/db/embedded";
import { PINNED_DRIVER_VERSION } from "@/lib/db/pool/driver-check";
import { ensureBaseImage } from "@/scripts/image-test/base-image";
import { Checks } from "@/scripts/image-test/checks";
import { freshDatabase, PROBE_TABLE } from "@/scripts/image-test/database";
import { must, run, tail } from "@/scripts/image-test/exec";
import { inspectImage, resolveUser } from "@/scripts/image-test/image-config";
import { openImageRoot } from "@/scripts/image-test/image-root";
import { execInImage, runInImage, type ImageProcessContext } from "@/scripts/image-test/in-image";
import { baseImages, releaseCommand } from "@/scripts/image-test/recipe";
import { startServer, waitForStatus, type ImageServer } from "@/scripts/image-test/server";

/**
 * `npm run test:image` (issue 18): builds the committed Dockerfile with podman against a local
 * stand-in for its base image, starts the image's own ENTRYPOINT + CMD from its filesystem
 * (chroot, as the image's USER, with only environment variables) against a fresh database on
 * DATABASE_URL's server and REDIS_URL, and checks what a deploy relies on: fly's release command,
 * readiness, a token read, the non-root user, the HEALTHCHECK, and the SIGTERM drain. Needs root,
 * podman and debootstrap (.ci/run installs them). Slow (a full image build): not part of `npm test`.
 */
const ROOT = path.resolve(import.meta.dirname, "..");
const runId = `${Date.now().toString(36)}${randomBytes(2).toString("hex")}`;
const IMAGE = `localhost/sluice-image-test:${runId}`;
const SERVER_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
// A persistent CI machine would pile up one build's layers per commit; locally the cache makes reruns quick.
const LAYER_CACHE = process.env.SLUICE_IMAGE_CACHE ? process.env.SLUICE_IMAGE_CACHE !== "0" : process.env.CI !== "true";
const DEADLINE_MS = 45 * 60_000;
const SHUTDOWN_TIMEOUT_S = 10;

const say = (line: string) => process.stdout.write(`[image test] ${line}\n`);
const checks = new Checks();
const cleanups: Array<() => Promise<void>> = [];
const seconds = (ms: number) => Number((ms / 1000).toFixed(1));

async function cleanUp(): Promise<void> {
  for (const step of cleanups.splice(0).reverse()) await step().catch((error: unknown) => say(`cleanup: ${String(error)}`));
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    say(`${signal}: cleaning up`);
    void cleanUp().finally(() => process.exit(130));
  });
}
const deadline = setTimeout(() => {
  say(`FAIL: the run passed its ${DEADLINE_MS / 60_000} min deadline`);
  void cleanUp().finally(() => process.exit(1));
}, DEADLINE_MS);
deadline.unref();

async function stopServer(server: ImageServer, within: number): Promise<number | string> {
  try {
    process.kill(server.pid, "SIGTERM");
  } catch {
    return "already exited";
  }
  const code = await server.exitedWithin(within);
  if (code === "still running") server.kill();
  return code;
}

async function main(): Promise<Record<string, unknown>> {
  if (process.getuid?.() !== 0) throw new Error("the image test needs root (podman storage, mount, chroot)");
  for (const tool of ["podman", "debootstrap", "chroot", "mount"]) {
    if ((await run("sh", ["-c", `command -v ${tool}`], { timeoutMs: 5000 })).code !== 0)
      throw new Error(`${tool} is missing (apt-get install podman debootstrap)`);
  }

  for (const base of baseImages(path.join(ROOT, "Dockerfile"))) await ensureBaseImage(base, say);

  say(`building ${IMAGE} (layer cache ${LAYER_CACHE ? "on" : "off"})`);
  cleanups.push(async () => void (await run("podman", ["rmi", "-f", IMAGE], { timeoutMs: 120_000 })));
  const build = await must(
    "nice",
    // docker format: the OCI format has no HEALTHCHECK, and Fly builds with Docker, which keeps it.
    [
      "podman",
      "build",
      "--isolation",
      "chroot",
      "--format",
      "docker",
      "--pull=never",
      `--layers=${LAYER_CACHE}`,
      "-t",
      IMAGE,
      "-f",
      "Dockerfile",
      ".",
    ],
    { timeoutMs: 30 * 60_000, cwd: ROOT, echo: true },
  );
  say(`built in ${seconds(build.ms)} s`);

  const config = await inspectImage(IMAGE);
  say(
    `image: ${(config.sizeBytes / 1e6).toFixed(0)} MB · USER ${config.user} · WORKDIR ${config.workdir} · ${JSON.stringify([...config.entrypoint, ...config.cmd])}`,
  );
  checks.record("the image has a HEALTHCHECK", config.healthcheck !== null, JSON.stringify(config.healthcheck?.test ?? null));

  const image = await openImageRoot(IMAGE, `sluice-image-test-${runId}`);
  cleanups.push(image.close);
  const user = resolveUser(image.root, config.user);
  checks.require("USER is not root", user.uid !== 0 && user.gid !== 0, `${config.user} = uid ${user.uid} gid ${user.gid}`);

  // What the standalone output ships: the driver the pools are pinned to, and no project sources
  // (a file-system call Turbopack cannot scope makes it trace the whole repository into it).
  const appDir = path.join(image.root, config.workdir);
  const driver = path.join(appDir, "node_modules/postgres/package.json");
  const driverVersion = existsSync(driver) ? (JSON.parse(readFileSync(driver, "utf8")) as { version?: string }).version : null;
  checks.record(`the image ships postgres.js ${PINNED_DRIVER_VERSION}`, driverVersion === PINNED_DRIVER_VERSION, `found ${driverVersion}`);
  const sources = ["lib", "tests", "docs", "bench", "scripts", "db", "app", "package-lock.json"].filter((entry) =>
    existsSync(path.join(appDir, entry)),
  );
  checks.record("the image ships no project sources", sources.length === 0, sources.length ? `found ${sources.join(", ")} in ${config.workdir}` : "");

  const db = await freshDatabase(SERVER_URL, runId);
  cleanups.push(db.drop);
  const port = await freePort();
  const context: ImageProcessContext = {
    root: image.root,
    config,
    user,
    env: {
      ...db.env,
      REDIS_URL,
      AUTH_SECRET: randomBytes(36).toString("base64url"),
      PORT: String(port),
      // The host's network is shared with other work: listen on loopback only.
      HOSTNAME: "127.0.0.1",
      SHUTDOWN_TIMEOUT_S: String(SHUTDOWN_TIMEOUT_S),
      DB_POOL_SIZE: "3",
      DB_POOL_MIN: "1",
      LOG_LEVEL: "warn",
      INSTANCE_ID: `image-test-${runId}`,
    },
  };

  // Release command first, as a deploy runs it: fly runs it as the command of the new image.
  const release = releaseCommand(path.join(ROOT, "fly.toml"));
  const wrongDb = await runInImage({ ...context, env: { ...context.env, DATABASE_URL: `${db.url}_missing` } }, release, 120_000);
  checks.record("control: the release command fails against a missing database", wrongDb.code !== 0, `exit ${wrongDb.code}`);
  const migrated = await runInImage(context, release, 5 * 60_000);
  checks.require(
    `release command \`${release.join(" ")}\` exits 0`,
    migrated.code === 0,
    `exit ${migrated.code}${migrated.code ? `\n${tail(migrated.stderr + migrated.stdout)}` : ""}`,
  );
  const again = await runInImage(context, release, 5 * 60_000);
  checks.record("the release command is idempotent (second run exits 0)", again.code === 0, `exit ${again.code}`);

  // The image's own entrypoint and command, nothing else.
  const server = startServer(context, port);
  cleanups.push(async () => void (await stopServer(server, 5000)));
  const ready = await waitForStatus(server, "/api/health/ready", 200, 120_000);
  const startToReadyMs = Date.now() - server.startedAt;
  checks.require(
    "/api/health/ready answers 200",
    ready === 200,
    `last status ${ready} after ${startToReadyMs} ms${ready === 200 ? "" : `\n${tail(server.output())}`}`,
  );
  say(`start to ready: ${startToReadyMs} ms`);

  const status = (file: string) => readFileSync(file, "utf8");
  const ids = (text: string, field: "Uid" | "Gid") => new RegExp(`^${field}:\\s+(.*)$`, "m").exec(text)?.[1]?.split(/\s+/).map(Number) ?? [];
  checks.record("control: /proc status shows this (root) process as uid 0", ids(status("/proc/self/status"), "Uid")[0] === 0);
  const serverStatus = status(`/proc/${server.pid}/status`);
  const cmdline = readFileSync(`/proc/${server.pid}/cmdline`, "utf8").split("\0").filter(Boolean).join(" ");
  checks.record(
    "the server runs as the image's user",
    ids(serverStatus, "Uid").every((id) => id === user.uid) && ids(serverStatus, "Gid").every((id) => id === user.gid),
    `Uid ${ids(serverStatus, "Uid").join(" ")} Gid ${ids(serverStatus, "Gid").join(" ")} · ${cmdline}`,
  );

  const healthcheck = async () => {
    const test = config.healthcheck?.test ?? ["NONE"];
    const argv = test[0] === "CMD-SHELL" ? ["/bin/sh", "-c", test[1]!] : test.slice(1);
    return execInImage(context, argv, config.healthcheck?.timeoutMs ?? 30_000);
  };
  const healthy = await healthcheck();
  checks.record("the HEALTHCHECK command succeeds against the running server", healthy.code === 0, `exit ${healthy.code} ${tail(healthy.stderr, 3)}`);

  // An operator's path to a token: the image's own scripts, as `fly ssh console` would run them.
  const email = `image-test-${runId}@example.test`;
  const adminEnv = { ...context, env: { ...context.env, ADMIN_PASSWORD: randomBytes(18).toString("base64url") } };
  const admin = await execInImage(adminEnv, ["node", "ops/create-admin.mjs", "--email", email], 60_000);
  checks.require("ops/create-admin.mjs creates an admin", admin.code === 0, `exit ${admin.code} ${tail(admin.stderr + admin.stdout, 5)}`);
  const issued = await execInImage(
    context,
    ["node", "ops/token.mjs", "create", "--email", email, "--name", "image test", "--scopes", "tables:read,sql:run"],
    60_000,
  );
  const token = issued.stdout.trim().split("\n").at(-1) ?? "";
  checks.require("ops/token.mjs issues a token", issued.code === 0 && token.startsWith("slc_"), `exit ${issued.code} ${tail(issued.stderr, 5)}`);

  const tableUrl = `${server.baseUrl}/api/v1/tables/${PROBE_TABLE}?order=id.asc`;
  const anonymous = await fetch(tableUrl, { signal: AbortSignal.timeout(10_000) });
  checks.record("control: the table read without a token is refused", anonymous.status === 401, `status ${anonymous.status}`);
  const read = await fetch(tableUrl, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(10_000) });
  const rows: unknown = await read.json().catch(() => null);
  checks.record(
    "a table read with the token returns the rows",
    read.status === 200 && JSON.stringify(rows) === JSON.stringify(db.probeRows),
    `status ${read.status} ${JSON.stringify(rows).slice(0, 200)}`,
  );

  // SIGTERM while a request is in flight: it finishes, then the process exits 0. The request
  // also forges its peer address: the CMD's --import preload must overwrite it with the socket's.
  const FORGED_IP = "203.0.113.9";
  const slow = fetch(`${server.baseUrl}/api/v1/sql`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json", "x-sluice-peer-address": FORGED_IP },
    body: JSON.stringify({ sql: "select pg_sleep(2) is null as slept" }),
    signal: AbortSignal.timeout(30_000),
  }).then(
    (response) => response.status,
    (error: unknown) => String(error),
  );
  await new Promise((resolve) => setTimeout(resolve, 700));
  const stoppedAt = Date.now();
  process.kill(server.pid, config.stopSignal as NodeJS.Signals);
  const exitCode = await server.exitedWithin((SHUTDOWN_TIMEOUT_S + 10) * 1000);
  if (exitCode === "still running") server.kill();
  checks.record("the request in flight at SIGTERM completes", (await slow) === 200, `status ${await slow}`);
  checks.record(
    `${config.stopSignal} drains and exits 0`,
    exitCode === 0,
    `exit ${exitCode} after ${Date.now() - stoppedAt} ms${exitCode === 0 ? "" : `\n${tail(server.output())}`}`,
  );

  const auditedIp = await db.lastAuditedIp();
  checks.record(
    "the peer-address preload runs: a forged peer address is overwritten",
    auditedIp === "127.0.0.1",
    `audited ip ${auditedIp}, sent ${FORGED_IP}`,
  );

  const unhealthy = await healthcheck();
  checks.record("control: the HEALTHCHECK fails once the server has stopped", unhealthy.code !== 0, `exit ${unhealthy.code}`);

  const revoked = await execInImage(context, ["node", "ops/token.mjs", "revoke", "--token", token], 60_000);
  checks.record("ops/token.mjs revokes the token", revoked.code === 0, `exit ${revoked.code}`);

  return {
    date: new Date().toISOString(),
    image: IMAGE.replace(`:${runId}`, ""),
    base: baseImages(path.join(ROOT, "Dockerfile")),
    node: process.version,
    sizeBytes: config.sizeBytes,
    sizeMB: Math.round(config.sizeBytes / 1e6),
    buildSeconds: seconds(build.ms),
    layerCache: LAYER_CACHE,
    startToReadyMs,
    checks: checks.all.map(({ name, ok }) => ({ name, ok })),
  };
}

let result: Record<string, unknown> | null = null;
try {
  result = await main();
} catch (error) {
  checks.record("the run completed", false, error instanceof Error ? error.message : String(error));
} finally {
  await cleanUp();
  clearTimeout(deadline);
}

if (result && checks.failed.length === 0) {
  const file = path.join(ROOT, "bench", "results", `image-${String(result.date).slice(0, 10)}.json`);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  say(`image ${result.sizeMB} MB · build ${result.buildSeconds} s · start to ready ${result.startToReadyMs} ms → ${path.relative(ROOT, file)}`);
}
say(`${checks.all.length - checks.failed.length} passed, ${checks.failed.length} failed`);
process.exit(checks.failed.length ? 1 : 0);
