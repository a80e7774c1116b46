import { spawnSync, type SpawnSyncOptions } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import path from "node:path";
import { inject } from "vitest";
import { migrateDatabase } from "@/db/migrate";
import { setupDatabase } from "@/db/setup";
import { freePort, isPortOpen } from "@/lib/db/embedded";
import type { Env } from "@/lib/env";
import { testEnv, type TestDatabaseConfig } from "@/tests/support/test-env";

/**
 * A primary of its own and a real streaming replica of it, from the machine's Postgres binaries
 * (Debian's postgresql-15: initdb, pg_ctl, pg_basebackup -R), each on a free port with its data in a
 * temp folder. Roles, grants and migrations are set up on the primary only: the replica gets them
 * (passwords included) by replication, as a managed read replica does.
 *
 * Postgres refuses to run as root; as root every binary runs as the `postgres` OS user (the same
 * one tests/support/pgbouncer.ts and the embedded Postgres use).
 */
export interface PgServer {
  port: number;
  /** Owner (superuser) URL of the database `postgres`. */
  url: string;
  stop(): void;
  start(): void;
  running(): Promise<boolean>;
}

export interface PrimaryWithReplica {
  primary: PgServer;
  replica: PgServer;
  config: TestDatabaseConfig;
  env: Env;
  /** Stops both and deletes their folders. */
  remove(): void;
}

const PG_BIN = process.env.PG_BIN ?? "/usr/lib/postgresql/15/bin";

export function replicaBinariesInstalled(): boolean {
  return ["initdb", "pg_ctl", "pg_basebackup"].every((bin) => existsSync(path.join(PG_BIN, bin)));
}

/** Runs a Postgres binary, as the postgres OS user when we are root; throws with its output on failure. */
function pgRun(bin: string, args: string[], options: SpawnSyncOptions = {}): string {
  const asRoot = userInfo().uid === 0;
  const ids = asRoot ? postgresIds() : {};
  const result = spawnSync(path.join(PG_BIN, bin), args, { encoding: "utf8", timeout: 120_000, ...ids, ...options });
  if (result.status !== 0) throw new Error(`${bin} ${args.join(" ")} failed (${result.status}):\n${String(result.stderr)}${String(result.stdout)}`);
  return String(result.stdout);
}

function postgresIds(): { uid: number; gid: number } {
  const id = (flag: string) => Number(spawnSync("id", [flag, "postgres"], { encoding: "utf8" }).stdout.trim());
  return { uid: id("-u"), gid: id("-g") };
}

function server(dir: string, port: number, password: string, settings: string[]): PgServer {
  const options = ["-p", String(port), "-c", "listen_addresses=127.0.0.1", `-c unix_socket_directories=${path.dirname(dir)}`, ...settings].join(" ");
  return {
    port,
    url: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`,
    start: () => void pgRun("pg_ctl", ["start", "-w", "-t", "60", "-D", dir, "-l", `${dir}.log`, "-o", options]),
    // Fast: the sessions are cut at once, as an outage would cut them.
    stop: () => void pgRun("pg_ctl", ["stop", "-w", "-t", "60", "-m", "fast", "-D", dir]),
    running: () => isPortOpen(port),
  };
}

export async function startPrimaryWithReplica(label: string): Promise<PrimaryWithReplica> {
  const root = mkdtempSync(path.join(tmpdir(), `sluice-${label}-`));
  const password = randomBytes(18).toString("base64url");
  const asRoot = userInfo().uid === 0;
  if (asRoot) spawnSync("chown", ["postgres:", root]);
  const pwfile = path.join(root, "pwfile");
  writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
  if (asRoot) spawnSync("chown", ["postgres:", pwfile]);

  const primaryDir = path.join(root, "primary");
  const replicaDir = path.join(root, "replica");
  // Test speed over crash safety; the replica's defaults otherwise (hot_standby is on).
  const settings = ["-c fsync=off", "-c synchronous_commit=off", "-c max_connections=100"];
  // initdb's pg_hba.conf allows replication connections from 127.0.0.1 with the same method.
  pgRun("initdb", ["-D", primaryDir, "-U", "postgres", "--auth=scram-sha-256", `--pwfile=${pwfile}`, "--encoding=UTF8", "--no-sync"]);
  const [primaryPort, replicaPort] = [await freePort(), await freePort()];
  const primary = server(primaryDir, primaryPort, password, settings);
  const replica = server(replicaDir, replicaPort, password, settings);
  const remove = () => {
    for (const [pg, dir] of [
      [replica, replicaDir],
      [primary, primaryDir],
    ] as const) {
      if (existsSync(path.join(dir, "postmaster.pid"))) {
        try {
          pg.stop();
        } catch {
          // already gone
        }
      }
    }
    rmSync(root, { recursive: true, force: true });
  };
  try {
    primary.start();
    const config: TestDatabaseConfig = { ...inject("database"), serverUrl: primary.url };
    const env = testEnv(config, primary.url);
    await setupDatabase(primary.url, env);
    await migrateDatabase(primary.url, env);
    // -R writes standby.signal and primary_conninfo: the copy starts as a streaming replica.
    pgRun("pg_basebackup", ["-h", "127.0.0.1", "-p", String(primaryPort), "-U", "postgres", "-D", replicaDir, "-R", "-X", "stream", "-c", "fast"], {
      env: { ...process.env, PGPASSWORD: password },
    });
    replica.start();
    return { primary, replica, config, env, remove };
  } catch (error) {
    remove();
    throw error;
  }
}
