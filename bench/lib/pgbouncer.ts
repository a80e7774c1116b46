import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync, rmSync, chmodSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import path from "node:path";
import { freePort, waitForPort } from "@/lib/db/embedded";

/**
 * A PgBouncer in transaction mode in front of the benchmark's Postgres, when
 * the `pgbouncer` binary is installed (Debian: apt-get install pgbouncer).
 */
export interface PgBouncer {
  port: number;
  stop(): Promise<void>;
}

export function pgbouncerInstalled(): boolean {
  return spawnSync("pgbouncer", ["--version"], { stdio: "ignore" }).status === 0;
}

export async function startPgBouncer(options: {
  serverHost: string;
  serverPort: number;
  users: Record<string, string>;
  poolSize: number;
}): Promise<PgBouncer> {
  const dir = mkdtempSync(path.join(tmpdir(), "sluice-pgbouncer-"));
  const port = await freePort();
  const quote = (s: string) => `"${s.replaceAll('"', '""')}"`;
  writeFileSync(
    path.join(dir, "userlist.txt"),
    Object.entries(options.users)
      .map(([u, p]) => `${quote(u)} ${quote(p)}`)
      .join("\n") + "\n",
  );
  writeFileSync(
    path.join(dir, "pgbouncer.ini"),
    [
      "[databases]",
      `* = host=${options.serverHost} port=${options.serverPort}`,
      "[pgbouncer]",
      "listen_addr = 127.0.0.1",
      `listen_port = ${port}`,
      "unix_socket_dir =",
      "auth_type = plain",
      `auth_file = ${path.join(dir, "userlist.txt")}`,
      "pool_mode = transaction",
      "max_client_conn = 2000",
      `default_pool_size = ${options.poolSize}`,
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
  const child: ChildProcess = spawn("pgbouncer", [...(asRoot ? ["-u", "postgres"] : []), path.join(dir, "pgbouncer.ini")], { stdio: "ignore" });
  if (!(await waitForPort(port))) {
    child.kill("SIGKILL");
    throw new Error("pgbouncer did not start");
  }
  return {
    port,
    stop: async () => {
      child.kill("SIGTERM");
      await new Promise((r) => setTimeout(r, 200));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
