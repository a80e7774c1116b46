import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import path from "node:path";
import { freePort, isPortOpen, waitForPort } from "@/lib/db/embedded";

/**
 * A real PgBouncer (Debian: apt-get install pgbouncer) in transaction mode, on a free port with
 * its own ini and userlist in a temp folder: the tests of issue 16 and the benchmark's pooling
 * scenario. `restart()` brings it back on the same port, as an operator's restart would.
 */
export interface PgBouncer {
  port: number;
  /** postgres://127.0.0.1:<port>/<database>: what DATABASE_POOLER_URL is set to (each role adds its own user). */
  url(database: string): string;
  /** Runs a command on PgBouncer's admin console (SHOW CLIENTS, SHOW POOLS …): rows as objects. */
  admin(command: string): Array<Record<string, string>>;
  running(): boolean;
  /** SIGTERM (immediate shutdown: every client and server connection dropped), then gone until start(). */
  kill(): Promise<void>;
  start(): Promise<void>;
  restart(downMs?: number): Promise<void>;
  /** Stops it for good and removes its folder. */
  stop(): Promise<void>;
  log(): string;
}

export function pgbouncerInstalled(): boolean {
  return spawnSync("pgbouncer", ["--version"], { stdio: "ignore" }).status === 0;
}

const ADMIN_USER = "sluice_pgbouncer_admin";

export async function startPgBouncer(options: {
  serverHost: string;
  serverPort: number;
  /**
   * The roles that log in through it, with their passwords. PgBouncer checks them itself with
   * SCRAM-SHA-256, as a production PgBouncer should (and as Postgres does for a direct
   * connection): `plain` would have clients send their passwords in clear, and would make a
   * client's connection to PgBouncer cheaper than any real one.
   */
  users: Record<string, string>;
  /** Server connections per (database, user): default_pool_size. */
  poolSize: number;
}): Promise<PgBouncer> {
  const dir = mkdtempSync(path.join(tmpdir(), "sluice-pgbouncer-"));
  const port = await freePort();
  const adminPassword = randomBytes(12).toString("hex");
  const quote = (s: string) => `"${s.replaceAll('"', '""')}"`;
  writeFileSync(
    path.join(dir, "userlist.txt"),
    Object.entries({ ...options.users, [ADMIN_USER]: adminPassword })
      .map(([u, p]) => `${quote(u)} ${quote(p)}`)
      .join("\n") + "\n",
  );
  const ini = path.join(dir, "pgbouncer.ini");
  writeFileSync(
    ini,
    [
      "[databases]",
      `* = host=${options.serverHost} port=${options.serverPort}`,
      "[pgbouncer]",
      "listen_addr = 127.0.0.1",
      `listen_port = ${port}`,
      "unix_socket_dir =",
      "auth_type = scram-sha-256",
      `auth_file = ${path.join(dir, "userlist.txt")}`,
      "pool_mode = transaction",
      "max_client_conn = 2000",
      `default_pool_size = ${options.poolSize}`,
      `admin_users = ${ADMIN_USER}`,
      // postgres.js sends extra_float_digits; `options` is refused by PgBouncer unless ignored.
      "ignore_startup_parameters = extra_float_digits,options",
      `logfile = ${path.join(dir, "pgbouncer.log")}`,
      `pidfile = ${path.join(dir, "pgbouncer.pid")}`,
      "",
    ].join("\n"),
  );
  // PgBouncer will not run as root; drop to the postgres user the machine has.
  const asRoot = userInfo().uid === 0;
  if (asRoot) {
    chmodSync(dir, 0o777);
    spawnSync("chown", ["-R", "postgres", dir]);
  }

  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();
  const start = async () => {
    if (child) return;
    const started = spawn("pgbouncer", [...(asRoot ? ["-u", "postgres"] : []), ini], { stdio: "ignore" });
    child = started;
    exited = new Promise((resolve) => started.once("exit", () => resolve()));
    if (!(await waitForPort(port))) {
      started.kill("SIGKILL");
      child = null;
      throw new Error(`pgbouncer did not start on port ${port}:\n${readLog()}`);
    }
  };
  const kill = async () => {
    const running = child;
    if (!running) return;
    child = null;
    running.kill("SIGTERM");
    await exited;
    // Its listening socket is closed with the process; wait until the port says so.
    for (let i = 0; i < 50 && (await isPortOpen(port)); i++) await new Promise((r) => setTimeout(r, 20));
  };
  const readLog = () => spawnSync("cat", [path.join(dir, "pgbouncer.log")], { encoding: "utf8" }).stdout ?? "";

  await start();
  return {
    port,
    url: (database) => `postgres://127.0.0.1:${port}/${encodeURIComponent(database)}`,
    admin: (command) => {
      const result = spawnSync(
        "psql",
        ["-h", "127.0.0.1", "-p", String(port), "-U", ADMIN_USER, "-X", "-A", "-F", "\t", "-P", "footer=off", "-c", command, "pgbouncer"],
        {
          encoding: "utf8",
          env: { ...process.env, PGPASSWORD: adminPassword },
        },
      );
      if (result.status !== 0) throw new Error(`pgbouncer admin ${command}: ${result.stderr}`);
      const [header, ...rows] = result.stdout.trim().split("\n");
      const columns = (header ?? "").split("\t");
      return rows.map((row) => Object.fromEntries(row.split("\t").map((value, i) => [columns[i]!, value])));
    },
    running: () => child !== null,
    kill,
    start,
    restart: async (downMs = 0) => {
      await kill();
      if (downMs) await new Promise((r) => setTimeout(r, downMs));
      await start();
    },
    stop: async () => {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
    log: readLog,
  };
}
