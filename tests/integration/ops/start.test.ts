import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEV_SECRET_PREFIX } from "@/lib/env";
import { freePort } from "@/lib/db/embedded";
import { createTestDatabase, type TestDatabase } from "@/tests/support/database";

/**
 * Issue 16 item 5: `npm start` itself (scripts/start.mjs from the project root, the standalone
 * build underneath) reads its configuration from the file SLUICE_ENV_FILE names (by default
 * .env.production in the project root), lets the real environment win, and refuses a bad
 * configuration before Next starts — with "this URL was generated for development" for a URL
 * from `npm run dev`, and without a "✓ Ready" first.
 */
const ROOT = path.resolve(import.meta.dirname, "../../..");
let db: TestDatabase;
let dir: string;

beforeAll(async () => {
  db = await createTestDatabase("start");
  dir = mkdtempSync(path.join(tmpdir(), "sluice-start-"));
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await db?.drop();
});

/** A production configuration as an operator writes it into .env.production. */
const productionFile = (port: number, extra: Record<string, string> = {}) => {
  const file = path.join(dir, `env-${port}`);
  // No NODE_ENV (envVars says test): npm start must default to production by itself.
  const vars: Record<string, string> = db.envVars();
  delete vars.NODE_ENV;
  const values = { ...vars, PORT: String(port), AUTH_SECRET: "start-test-secret-".padEnd(48, "x"), ...extra };
  writeFileSync(
    file,
    Object.entries(values)
      .map(([key, value]) => `${key}="${value}"`)
      .join("\n") + "\n",
  );
  return file;
};

interface Started {
  output: () => string;
  exited: Promise<number | null>;
  stop(): Promise<number | null>;
}

/** package.json's start command, run as npm runs it (a shell in the project root), without npm in between to eat exit codes. */
const START = (JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: { start: string } }).scripts.start;

/** `npm start` with nothing in its environment but PATH, HOME and what the test adds. */
function npmStart(env: Record<string, string>): Started {
  const child = spawn("sh", ["-c", `exec ${START}`], {
    cwd: ROOT,
    // No NODE_ENV: npm start must default to production by itself.
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", NEXT_TELEMETRY_DISABLED: "1", ...env } as unknown as NodeJS.ProcessEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return {
    output: () => output,
    exited,
    stop: async () => {
      if (child.exitCode === null) child.kill("SIGTERM");
      return exited;
    },
  };
}

async function waitUntilReady(url: string, started: Started): Promise<number> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const status = await fetch(`${url}/api/health/ready`).then(
      (response) => response.status,
      () => 0,
    );
    if (status === 200) return status;
    if (Date.now() > deadline) throw new Error(`npm start never became ready:\n${started.output()}`);
    const exitedEarly = await Promise.race([started.exited.then(() => true), new Promise<false>((r) => setTimeout(() => r(false), 200))]);
    if (exitedEarly) throw new Error(`npm start exited:\n${started.output()}`);
  }
}

describe("npm start (issue 16)", () => {
  it("serves with the configuration from SLUICE_ENV_FILE, the real environment winning over the file", { timeout: 90_000 }, async () => {
    const [filePort, envPort] = [await freePort(), await freePort()];
    const started = npmStart({ SLUICE_ENV_FILE: productionFile(filePort, { LOG_LEVEL: "info" }), PORT: String(envPort) });
    try {
      expect(await waitUntilReady(`http://127.0.0.1:${envPort}`, started)).toBe(200);
      expect(started.output()).toMatch(/\[sluice\] environment from .*env-\d+: \d+ variables \(1 already set in the environment, which wins\)/);
      // The control for the refusal below: a start that passes the check does print Ready.
      expect(started.output()).toMatch(/Ready/);
      const onFilePort = await fetch(`http://127.0.0.1:${filePort}/api/health`).then(
        () => "answered",
        () => "refused",
      );
      expect(onFilePort).toBe("refused");
    } finally {
      expect(await started.stop()).toBe(0);
    }
    expect(started.output()).toMatch(/"msg":"shutdown complete"/);
  });

  it("refuses a development-generated database URL by name, before Next prints Ready", { timeout: 60_000 }, async () => {
    const devUrl = `postgres://postgres:${DEV_SECRET_PREFIX}abcdefghijkl@127.0.0.1:54329/postgres`;
    const started = npmStart({ SLUICE_ENV_FILE: productionFile(await freePort(), { DATABASE_URL: devUrl }) });
    expect(await started.exited).toBe(78);
    const output = started.output();
    expect(output).toMatch(/\[sluice\] refusing to start/);
    expect(output).toMatch(/DATABASE_URL: this URL was generated for development/);
    expect(output).not.toMatch(/DATABASE_URL is a development-generated secret/);
    expect(output).not.toMatch(/Ready/);
  });

  it("refuses to start when SLUICE_ENV_FILE names a file that does not exist", async () => {
    const started = npmStart({ SLUICE_ENV_FILE: path.join(dir, "missing.env") });
    expect(await started.exited).toBe(78);
    expect(started.output()).toMatch(/SLUICE_ENV_FILE names .*missing\.env, which does not exist/);
  });
});
