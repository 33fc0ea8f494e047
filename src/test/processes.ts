import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";

/* Child processes for crash tests: the API server and the job runner, started as a user would. */

const root = path.resolve(import.meta.dirname, "../..");
/** One process (node with tsx's loader), not tsx's wrapper, so a SIGKILL kills the server itself. */
const node = process.execPath;
const tsxLoader = ["--import", "tsx"];

export type ServerProcess = { child: ChildProcess; port: number; output: () => string; alive: () => boolean };

/** Starts src/test/api-server-process.ts on `port` against `databaseUrl`; resolves once it listens. */
export async function startApiServer(options: { port: number; databaseUrl: string; env?: Record<string, string> }): Promise<ServerProcess> {
  const child = spawn(node, [...tsxLoader, path.join(root, "src/test/api-server-process.ts")], {
    cwd: root,
    env: { ...process.env, ...childEnv(options.databaseUrl), PORT: String(options.port), ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  let exited = false;
  child.on("exit", () => (exited = true));
  const listening = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the API server did not listen within 30 s:\n${output}`)), 30_000);
    child.stdout!.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("listening")) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the API server exited (${code}) before listening:\n${output}`));
    });
  });
  await listening;
  return { child, port: options.port, output: () => output, alive: () => !exited };
}

export type JobRun = { child: ChildProcess; done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> };

/** `npm run job -- <name> <args>` as its own process (tsx scripts/job.ts). */
export function runJobProcess(options: { databaseUrl: string; args: string[]; env?: Record<string, string> }): JobRun {
  const child = spawn(node, [...tsxLoader, path.join(root, "scripts/job.ts"), ...options.args], {
    cwd: root,
    env: { ...process.env, ...childEnv(options.databaseUrl), ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.on("exit", (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, done };
}

function childEnv(databaseUrl: string): Record<string, string> {
  return {
    DATABASE_URL: databaseUrl,
    NODE_ENV: "production",
    NEXTAUTH_SECRET: "crash-test-secret-0123456789abcdef",
    TALLY_WORKERS: "on",
    LOG_LEVEL: "warn",
  };
}

export async function killAndWait(child: ChildProcess, signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill(signal);
  await exited;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
