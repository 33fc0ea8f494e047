import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

/**
 * `npm test`: lint, typecheck, unit + integration tests (vitest, real PostgreSQL), production
 * build, browser tests (Playwright in Chromium). Every step runs even when an earlier one
 * failed, so one run shows everything that is wrong. The last line counts every test and
 * check: `N passed, N failed`.
 */
type Tally = { passed: number; failed: number; skipped: number };

const results = path.resolve("test-results");
fs.mkdirSync(results, { recursive: true });
const total: Tally = { passed: 0, failed: 0, skipped: 0 };
const summary: string[] = [];

function run(command: string, args: string[], env: Record<string, string> = {}): boolean {
  console.log(`\n$ ${command} ${args.join(" ")}`);
  const result = spawnSync(command, args, { stdio: "inherit", env: { ...process.env, ...env } });
  return result.status === 0;
}

function check(name: string, ok: boolean): void {
  total[ok ? "passed" : "failed"] += 1;
  summary.push(`${name}: ${ok ? "passed" : "FAILED"}`);
}

function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8")) as T;
  } catch {
    return undefined;
  }
}

const only = new Set(process.argv.slice(2));
const wants = (step: string) => only.size === 0 || only.has(step);

if (wants("lint")) check("lint", run("node_modules/.bin/eslint", ["--max-warnings=0", "."]));
if (wants("typecheck")) check("typecheck", run("node_modules/.bin/tsc", ["--noEmit", "-p", "."]));

// The API's spec: the committed openapi.json and client types match the handlers' schemas, and the spec lints clean.
if (wants("spec")) {
  check("openapi spec current", run("node_modules/.bin/tsx", ["scripts/generate-api-client.ts", "--check"]));
  check("openapi lint (redocly)", run("node_modules/.bin/redocly", ["lint", "--format=stylish", "src/server/http/v1/generated/openapi.json"]));
}

if (wants("unit")) {
  const file = path.join(results, "vitest.json");
  fs.rmSync(file, { force: true });
  const ok = run("node_modules/.bin/vitest", ["run", "--reporter=default", "--reporter=json", `--outputFile.json=${file}`]);
  const report = readJson<{ numPassedTests: number; numFailedTests: number; numPendingTests: number; numTodoTests: number }>(file);
  if (report) {
    total.passed += report.numPassedTests;
    total.failed += report.numFailedTests;
    total.skipped += report.numPendingTests + report.numTodoTests;
    summary.push(`vitest: ${report.numPassedTests} passed, ${report.numFailedTests} failed`);
    if (!ok && report.numFailedTests === 0) check("vitest (suite errors outside tests)", false);
  } else {
    check("vitest (no report)", false);
  }
}

if (wants("e2e")) {
  const built = run("node_modules/.bin/next", ["build"]);
  check("build", built);
  if (built) {
    const file = path.join(results, "playwright.json");
    fs.rmSync(file, { force: true });
    const ok = run("node_modules/.bin/playwright", ["test", "--reporter=list,json"], { PLAYWRIGHT_JSON_OUTPUT_NAME: file });
    const report = readJson<{ stats: { expected: number; unexpected: number; flaky: number; skipped: number } }>(file);
    if (report) {
      total.passed += report.stats.expected + report.stats.flaky;
      total.failed += report.stats.unexpected;
      total.skipped += report.stats.skipped;
      summary.push(`playwright: ${report.stats.expected + report.stats.flaky} passed, ${report.stats.unexpected} failed`);
      if (!ok && report.stats.unexpected === 0) check("playwright (setup failed)", false);
    } else {
      check("playwright (no report)", false);
    }
  }
}

console.log(`\n${summary.join("\n")}`);
console.log(`${total.passed} passed, ${total.failed} failed${total.skipped ? `, ${total.skipped} skipped` : ""}`);
process.exit(total.failed === 0 ? 0 : 1);
