import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import postgres from "postgres";

/** The production server under test is scraped like a real one: with its bearer token. */
export const e2eMetricsToken = "e2e-metrics-token-0123456789";

/** The session secret the test server signs with (production rules: 32+ characters); specs forge and read cookies with it. */
export const e2eAuthSecret = "e2e-secret-0123456789abcdef-0123456789";

export const e2eStateFile = path.resolve("test-results", `e2e-server-${process.env.E2E_PORT ?? 3200}.json`);

/** A fresh database for the browser tests: dropped and re-created from scratch each run. */
export async function prepareDatabase(serverUrl: string, name: string): Promise<string> {
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`drop database if exists "${name}" with (force)`);
    await admin.unsafe(`create database "${name}"`);
  } finally {
    await admin.end({ timeout: 5 });
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function startServer(options: { port: number; env: Record<string, string> }): Promise<number> {
  const log = fs.openSync(path.resolve("test-results", `e2e-server-${options.port}.log`), "w");
  const child = spawn("node_modules/.bin/next", ["start", "-p", String(options.port)], {
    env: { ...process.env, ...options.env },
    stdio: ["ignore", log, log],
    detached: true,
  });
  if (!child.pid) throw new Error("next start did not start");
  child.unref();
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`http://localhost:${options.port}/api/health`);
      if (response.status === 200) return child.pid;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  process.kill(-child.pid, "SIGTERM");
  throw new Error(`the server did not become healthy in 90 s; see test-results/e2e-server.log`);
}
