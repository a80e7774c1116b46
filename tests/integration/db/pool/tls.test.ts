import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, chownSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import postgres from "postgres";
import { RolePool } from "@/lib/db/pool";
import { freePort, startEmbeddedPostgres, type EmbeddedPostgresHandle } from "@/lib/db/embedded";
import { poolConfig } from "@/tests/support/pool-config";

/*
 * The pool over TLS, against a Postgres of its own with ssl=on (a self-signed certificate made
 * here). postgres.js would upgrade the socket itself and leave the pool blind — no wire state, no
 * close event, discards that never finish — so the pool negotiates TLS in its socket factory
 * (lib/db/pool/tls.ts). Proven here: the connection is encrypted, reused when clean, cancelled
 * and destroyed when its caller goes away, and a server that refuses TLS fails clearly.
 */
let pg: EmbeddedPostgresHandle;
let certDir: string;
const dataDir = path.resolve(import.meta.dirname, "../../../../.data", `tls-pg-${randomBytes(3).toString("hex")}`);
const password = randomBytes(18).toString("base64url");
const pools: RolePool[] = [];

beforeAll(async () => {
  certDir = mkdtempSync(path.join(os.tmpdir(), "sluice-tls-"));
  const key = path.join(certDir, "server.key");
  const cert = path.join(certDir, "server.crt");
  execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1", "-keyout", key, "-out", cert], {
    stdio: "ignore",
  });
  chmodSync(certDir, 0o755);
  chmodSync(key, 0o600);
  // As root the embedded server runs as the `postgres` OS user, which must own its key.
  if (os.userInfo().uid === 0) {
    const uid = Number(execFileSync("id", ["-u", "postgres"]).toString().trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"]).toString().trim());
    chownSync(key, uid, gid);
    chownSync(cert, uid, gid);
  }
  pg = await startEmbeddedPostgres({
    dataDir,
    port: await freePort(),
    password,
    durable: false,
    settings: ["ssl=on", `ssl_cert_file=${cert}`, `ssl_key_file=${key}`],
  });
}, 120_000);

afterAll(async () => {
  await Promise.all(pools.map((p) => p.close(1)));
  await pg?.stop();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(certDir, { recursive: true, force: true });
});

function open(sslmode: string) {
  const pool = new RolePool(poolConfig("readonly", `${pg.url}?sslmode=${sslmode}`, { size: 2, min: 0, connectTimeoutS: 5 }));
  pools.push(pool);
  return pool;
}

const encrypted = (pool: RolePool) =>
  pool.run(async ({ sql }) => (await sql<{ ssl: boolean; pid: number }[]>`select ssl, pid from pg_stat_ssl where pid = pg_backend_pid()`)[0]!);

describe("the pool over TLS", () => {
  it("encrypts with sslmode=require and reuses a clean connection (the pool can read its protocol)", async () => {
    const pool = open("require");
    const first = await encrypted(pool);
    const second = await encrypted(pool);
    expect(first.ssl).toBe(true);
    expect(second.pid).toBe(first.pid);
    expect(pool.stats()).toMatchObject({ returnedClean: 2, connected: 1, inUse: 0 });
    expect(pool.stats().connections.opened).toBe(1);
  });

  it("cancels and destroys the connection of a caller that went away, without hanging", async () => {
    const pool = open("require");
    const { pid } = await encrypted(pool);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const started = performance.now();
    await expect(pool.run(({ sql }) => sql`select pg_sleep(5)`, { signal: controller.signal })).rejects.toBeDefined();
    expect(performance.now() - started).toBeLessThan(3000);
    expect(pool.stats()).toMatchObject({ inUse: 0, discarded: { cancelled: 1 } });
    expect(pool.stats().connections.cancelsSent).toBe(1);
    // The backend is gone (the statement was cancelled, then the session ended).
    const owner = postgres(pg.url, { max: 1, onnotice: () => {} });
    try {
      const rows = await owner`select 1 from pg_stat_activity where pid = ${pid}`;
      expect(rows).toHaveLength(0);
    } finally {
      await owner.end({ timeout: 1 });
    }
    // …and the next unit gets a new, working, encrypted connection.
    const next = await encrypted(pool);
    expect(next).toMatchObject({ ssl: true });
    expect(next.pid).not.toBe(pid);
  });

  it("speaks in the clear with sslmode=disable (the control), and refuses a bad sslmode clearly", async () => {
    expect((await encrypted(open("disable"))).ssl).toBe(false);
    await expect(open("sometimes").run(({ sql }) => sql`select 1`)).rejects.toThrow(/unsupported sslmode "sometimes"/);
  });
});
