import { installDriverRaceGuard } from "@/db/driver-race-guard";
import { parseArgs } from "node:util";
import { getDatabase } from "@/db/client";
import { systemClock } from "@/server/clock";
import { isDomainError } from "@/server/errors";
import { findJob, jobs } from "@/server/jobs/registry";
import { runJob } from "@/server/jobs/run-job";

// A script may run long statements (a migration on a big table, a close of thousands of subscriptions).
process.env.TALLY_STATEMENT_TIMEOUT_MS ??= "0";
installDriverRaceGuard();

/** `npm run job -- <name> [--flag value ...]`: runs one background job's domain function now. */
async function main(): Promise<number> {
  const [name, ...rest] = process.argv.slice(2);
  const job = name ? findJob(name) : undefined;
  if (!job) {
    console.error(name ? `Unknown job "${name}".` : "Name a job to run.");
    console.error(`Jobs:\n${jobs.map((each) => `  ${each.name.padEnd(28)} ${each.description}`).join("\n")}`);
    return 2;
  }
  // `--until 2026-02-01` and `--until=2026-02-01` both mean until = the date (non-strict parseArgs alone reads the first as a boolean).
  const paired: string[] = [];
  for (let index = 0; index < rest.length; index++) {
    const arg = rest[index]!;
    const next = rest[index + 1];
    if (arg.startsWith("--") && !arg.includes("=") && next !== undefined && !next.startsWith("--")) {
      paired.push(`${arg}=${next}`);
      index++;
    } else paired.push(arg);
  }
  const { values } = parseArgs({ args: paired, strict: false, allowPositionals: true });
  const args = Object.fromEntries(
    Object.entries(values).filter((entry): entry is [string, string | boolean] => typeof entry[1] !== "undefined"),
  ) as Record<string, string | boolean>;
  const handle = await getDatabase();
  try {
    const startedMs = Date.now();
    const result = await runJob(job, { db: handle.db, clock: systemClock, log: (message) => console.error(`[${job.name}] ${message}`) }, args);
    console.log(JSON.stringify({ job: job.name, durationMs: Date.now() - startedMs, ...result }, bigintReplacer, 2));
    return result.ok === false ? 1 : 0;
  } catch (error) {
    if (isDomainError(error)) {
      console.error(`${job.name} failed: ${error.message} (${error.code})`);
      return 1;
    }
    throw error;
  } finally {
    await handle.close();
  }
}

function bigintReplacer(_key: string, value: unknown): unknown {
  return typeof value === "bigint" ? value.toString() : value;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
