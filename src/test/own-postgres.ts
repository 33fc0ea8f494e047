import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";

/*
 * A PostgreSQL of a test's own, from a temporary data directory on a free port, so a crash test
 * can stop it `-m immediate` (a crash: no checkpoint, no goodbye to clients) without touching the
 * shared server. initdb refuses to run as root: as root, the cluster belongs to `postgres`.
 * fsync is off: an immediate stop kills the server processes, not the kernel, so committed WAL
 * written to the page cache survives it exactly as it would on disk (a power cut is not tried).
 */

const binDirectory = ["/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/17/bin"].find((dir) => fs.existsSync(path.join(dir, "pg_ctl")));

export type OwnPostgres = {
  port: number;
  /** postgres:// URL of database `name` (default `postgres`). */
  url(name?: string): string;
  /** pg_ctl stop in `mode`: `immediate` is a crash. */
  stop(mode?: "fast" | "immediate"): void;
  start(): void;
  /** Stops it and deletes its data directory. */
  destroy(): void;
  log(): string;
};

export function ownPostgresAvailable(): boolean {
  return binDirectory !== undefined;
}

export async function startOwnPostgres(): Promise<OwnPostgres> {
  if (!binDirectory) throw new Error("PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin (apt-get install postgresql)");
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "tally-own-pg-"));
  const dataDirectory = path.join(root, "data");
  const logFile = path.join(root, "server.log");
  const asRoot = process.getuid?.() === 0;
  if (asRoot) execFileSync("chown", ["-R", "postgres:postgres", root]);
  const run = (binary: string, args: string[]) => {
    const command = asRoot ? "runuser" : path.join(binDirectory, binary);
    const fullArgs = asRoot ? ["-u", "postgres", "--", path.join(binDirectory, binary), ...args] : args;
    const result = spawnSync(command, fullArgs, { encoding: "utf8" });
    if (result.status !== 0) throw new Error(`${binary} ${args.join(" ")} failed: ${result.stderr || result.stdout}`);
  };
  run("initdb", ["-D", dataDirectory, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync", "--no-instructions"]);
  const port = await freePort();
  const options = `-p ${port} -k ${root} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=60 -c shared_buffers=64MB`;
  const start = () => run("pg_ctl", ["-D", dataDirectory, "-o", options, "-l", logFile, "-w", "-t", "60", "start"]);
  start();
  return {
    port,
    url: (name = "postgres") => `postgres://postgres@127.0.0.1:${port}/${name}`,
    stop: (mode = "fast") => run("pg_ctl", ["-D", dataDirectory, "-m", mode, "-w", "-t", "60", "stop"]),
    start,
    destroy: () => {
      try {
        run("pg_ctl", ["-D", dataDirectory, "-m", "immediate", "-w", "stop"]);
      } catch {
        // already stopped
      }
      fs.rmSync(root, { recursive: true, force: true });
    },
    log: () => (fs.existsSync(logFile) ? fs.readFileSync(logFile, "utf8") : ""),
  };
}

/** Creates database `name` on `server` (a postgres:// URL of an existing database). */
export async function createDatabaseOn(serverUrl: string, name: string): Promise<void> {
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database "${name}"`);
  } finally {
    await admin.end({ timeout: 5 });
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
