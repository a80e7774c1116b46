import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, PortInUseError, startEmbeddedPostgres } from "@/lib/db/embedded";

/**
 * Issue 16 item 6: the dev start on a busy machine. With the embedded Postgres's port taken by
 * a program that is not its own server (here a plain TCP listener), the start says which port and
 * how to choose another, instead of dying with an `undefined` rejection: the real function against
 * a real occupied port, and `npm run dev`'s own process (which first writes its development
 * secrets to .env.local if there are none, as every first run does). The control: the same folder
 * on a free port starts.
 */
const ROOT = path.resolve(import.meta.dirname, "../../..");
let dir: string;
let squatter: net.Server;
let occupied: number;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "sluice-embedded-"));
  // As root the package runs Postgres as the postgres OS user, which must reach the folder.
  chmodSync(dir, 0o755);
  occupied = await freePort();
  squatter = net.createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => squatter.listen(occupied, "127.0.0.1", resolve));
});
afterAll(async () => {
  await new Promise((resolve) => squatter.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

const options = (port: number) => ({ dataDir: path.join(dir, "pg"), port, password: randomBytes(12).toString("hex"), durable: false });

describe("the embedded Postgres on a busy port (issue 16)", () => {
  it("names the port in use and a free one to choose, before touching its data folder", async () => {
    const refused = await startEmbeddedPostgres(options(occupied)).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(PortInUseError);
    const { message, suggestion } = refused as PortInUseError;
    expect(message).toContain(`port ${occupied} (the embedded Postgres) is in use by another program`);
    expect(message).toContain(`EMBEDDED_PG_PORT=${suggestion} npm run dev`);
    expect(suggestion).not.toBe(occupied);
    expect(existsSync(path.join(dir, "pg", "PG_VERSION"))).toBe(false);
  });

  it("starts on a free port (control)", { timeout: 120_000 }, async () => {
    const pg = await startEmbeddedPostgres(options(await freePort()));
    try {
      const sql = postgres(pg.url, { max: 1, onnotice: () => {} });
      expect((await sql`select 1 as one`)[0]).toEqual({ one: 1 });
      await sql.end();
    } finally {
      await pg.stop();
    }
  });

  it("npm run dev stops with that one line and exit code 1, no stack trace", { timeout: 60_000 }, async () => {
    const child = spawn(path.join(ROOT, "node_modules", ".bin", "tsx"), [path.join(ROOT, "scripts", "dev.ts")], {
      cwd: ROOT,
      // No DATABASE_URL: the dev start brings its embedded Postgres, on the occupied port.
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", EMBEDDED_PG_PORT: String(occupied) } as unknown as NodeJS.ProcessEnv,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    expect(code, output).toBe(1);
    expect(output).toMatch(
      new RegExp(`\\[sluice\\] error: port ${occupied} \\(the embedded Postgres\\) is in use by another program.*EMBEDDED_PG_PORT=\\d+ npm run dev`),
    );
    expect(output).not.toMatch(/\n\s+at /);
  });
});
