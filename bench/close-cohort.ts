import { openDatabase } from "@/db/client";
import { systemActor } from "@/server/audit/actor";
import { fixedClock } from "@/server/clock";
import { closeDuePeriods } from "@/server/invoicing/close-due-periods";

/*
 * The mixed benchmark's period close, in a process of its own as the close job runs in production
 * (a worker, never the process that sends the load): its JavaScript would otherwise hold up the
 * load generator's event loop and count as the server's latency.
 * Usage: tsx bench/close-cohort.ts <database url> <batch size>; subscription ids on stdin (one per line).
 * Prints one JSON line: { created, failed: [{ code, message }] }.
 */
async function main(): Promise<void> {
  const [url, batchSize] = process.argv.slice(2);
  if (!url || !batchSize) throw new Error("usage: close-cohort <database url> <batch size> < ids");
  const ids = (await readStdin()).split("\n").filter((line) => line.length > 0);
  const handle = await openDatabase({ url, poolMax: 2, statementTimeoutMs: 0 });
  try {
    const now = new Date();
    const outcome = await closeDuePeriods(handle.db, { until: now, batchSize: Number(batchSize), subscriptionIds: ids }, { clock: fixedClock(now), actor: systemActor("bench") });
    process.stdout.write(`${JSON.stringify({ created: outcome.created, failed: outcome.failed.map(({ code, message }) => ({ code, message })) })}\n`);
  } finally {
    await handle.close();
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
