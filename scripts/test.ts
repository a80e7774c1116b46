import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";

/**
 * `npm test`: production build, then unit + integration tests (Vitest), then
 * browser tests (Playwright in Chromium), then one closing count line.
 * The test setups start Postgres and Redis themselves unless DATABASE_URL /
 * REDIS_URL point at running ones.
 */
const root = path.resolve(import.meta.dirname, "..");
const args = new Set(process.argv.slice(2));
const resultsDir = path.join(root, "test-results");
rmSync(path.join(resultsDir, "vitest-results.json"), { force: true });
rmSync(path.join(resultsDir, "e2e-results.json"), { force: true });

function run(label: string, command: string, commandArgs: string[]): number {
  process.stdout.write(`\n[sluice test] ${label}: ${command} ${commandArgs.join(" ")}\n`);
  const result = spawnSync(command, commandArgs, { cwd: root, stdio: "inherit", env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } });
  return result.status ?? 1;
}

const bin = (name: string) => path.join(root, "node_modules", ".bin", name);
let failedSteps = 0;

if (!args.has("--skip-build")) {
  if (run("build", "npm", ["run", "build"]) !== 0) {
    process.stdout.write("[sluice test] the production build failed; tests need it\n");
    process.exit(1);
  }
}

failedSteps += run("unit + integration", bin("vitest"), [
  "run",
  "--reporter=default",
  "--reporter=json",
  `--outputFile.json=${path.join(resultsDir, "vitest-results.json")}`,
])
  ? 1
  : 0;
if (!args.has("--skip-e2e")) failedSteps += run("browser", bin("playwright"), ["test"]) ? 1 : 0;

function counts(): { passed: number; failed: number; skipped: number } {
  const total = { passed: 0, failed: 0, skipped: 0 };
  const vitestFile = path.join(resultsDir, "vitest-results.json");
  if (existsSync(vitestFile)) {
    const v = JSON.parse(readFileSync(vitestFile, "utf8"));
    total.passed += v.numPassedTests ?? 0;
    total.failed += (v.numFailedTests ?? 0) + (v.numRuntimeErrorTestSuites ?? 0);
    total.skipped += (v.numPendingTests ?? 0) + (v.numTodoTests ?? 0);
  }
  const e2eFile = path.join(resultsDir, "e2e-results.json");
  if (existsSync(e2eFile)) {
    const stats = JSON.parse(readFileSync(e2eFile, "utf8")).stats ?? {};
    total.passed += stats.expected ?? 0;
    total.failed += (stats.unexpected ?? 0) + (stats.flaky ?? 0);
    total.skipped += stats.skipped ?? 0;
  }
  return total;
}

const total = counts();
if (failedSteps > 0 && total.failed === 0) total.failed = failedSteps;
// A runner that errors before running anything can still exit 0; no tests is a failure here.
if (total.passed === 0 && total.failed === 0) {
  process.stdout.write("[sluice test] no test ran: treating this as a failure\n");
  total.failed = 1;
}
process.stdout.write(`\ntests: ${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped\n`);
process.exit(failedSteps > 0 || total.failed > 0 ? 1 : 0);
