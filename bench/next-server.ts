import { spawn, type ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";

/**
 * The production server for HTTP benchmarks: built into its own directory (so a benchmark never
 * disturbs `.next`), started with `next start` on a free port, stopped by its process group.
 */
const root = path.resolve(import.meta.dirname, "..");

export async function buildApp(distDir: string): Promise<void> {
  console.log(`building the app into ${distDir} ...`);
  await new Promise<void>((resolve, reject) => {
    const build = spawn(path.join(root, "node_modules/.bin/next"), ["build"], {
      cwd: root,
      env: { ...process.env, TALLY_NEXT_DIST_DIR: distDir, NODE_ENV: "production" },
      stdio: ["ignore", "ignore", "inherit"],
    });
    build.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`next build exited with ${code}`))));
  });
}

/** BENCH_WORKERS=off starts the server without its in-process workers (to see what they cost). */
export type StartServerOptions = {
  distDir: string;
  port: number;
  databaseUrl: string;
  /** A route that answers 401 without credentials once the server is up. */
  readyPath: string;
  /** Keep the server's stdout (worker logs) in this file. */
  logFile?: string;
};

/**
 * The Node flags of `npm start` (package.json: `node <flags> node_modules/next/dist/bin/next
 * start`), so a benchmark runs the server exactly as production does.
 */
export function productionNodeFlags(): string[] {
  const start = (JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts.start ?? "";
  const words = start.split(/\s+/);
  const binAt = words.indexOf("node_modules/next/dist/bin/next");
  if (words[0] !== "node" || binAt === -1 || words[binAt + 1] !== "start") throw new Error(`package.json's start script is not "node <flags> node_modules/next/dist/bin/next start": ${start}`);
  return words.slice(1, binAt);
}

export async function startServer(options: StartServerOptions): Promise<ChildProcess> {
  // BENCH_PROFILE_DIR=dir: the server writes a V8 CPU profile there when it stops (open it in Chrome's DevTools).
  const profileDir = process.env.BENCH_PROFILE_DIR;
  const profileArgs = profileDir ? ["--cpu-prof", `--cpu-prof-dir=${path.resolve(profileDir)}`] : [];
  // BENCH_NODE_FLAGS="--trace-gc": extra flags for the server's node (V8 flags NODE_OPTIONS refuses).
  const extraArgs = process.env.BENCH_NODE_FLAGS?.split(/\s+/).filter(Boolean) ?? [];
  const nodeArgs = [...productionNodeFlags(), ...profileArgs, ...extraArgs, path.join(root, "node_modules/next/dist/bin/next")];
  const server = spawn(process.execPath, [...nodeArgs, "start", "-p", String(options.port), "-H", "127.0.0.1"], {
    cwd: root,
    env: {
      ...process.env,
      TALLY_NEXT_DIST_DIR: options.distDir,
      NODE_ENV: "production",
      DATABASE_URL: options.databaseUrl,
      TALLY_WORKERS: process.env.BENCH_WORKERS ?? "on",
      NEXTAUTH_SECRET: process.env.NEXTAUTH_SECRET ?? crypto.randomBytes(24).toString("hex"),
      NEXTAUTH_URL: `http://127.0.0.1:${options.port}`,
    },
    stdio: ["ignore", options.logFile ? fs.openSync(options.logFile, "w") : "ignore", "inherit"],
    detached: true,
  });
  const deadlineMs = Date.now() + 60_000;
  while (Date.now() < deadlineMs) {
    if (server.exitCode !== null) throw new Error(`next start exited with ${server.exitCode}`);
    const ready = await fetch(`http://127.0.0.1:${options.port}${options.readyPath}`, { method: "POST" }).then(
      (response) => response.status === 401,
      () => false,
    );
    if (ready) return server;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  await stopServer(server);
  throw new Error("next start did not answer within 60 s");
}

/** Stops the server we started: its process group, by the id we were given. */
export async function stopServer(server: ChildProcess): Promise<void> {
  if (server.exitCode !== null || !server.pid) return;
  const exited = new Promise((resolve) => server.once("exit", resolve));
  process.kill(-server.pid, "SIGTERM");
  const timeout = setTimeout(() => server.pid && process.kill(-server.pid, "SIGKILL"), 10_000);
  await exited;
  clearTimeout(timeout);
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}
