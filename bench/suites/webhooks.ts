import { fork } from "node:child_process";
import path from "node:path";
import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";
import { systemActor } from "@/server/audit/actor";
import { systemClock } from "@/server/clock";
import { deliverWebhooks } from "@/server/webhooks/deliver-webhooks";
import { emitWebhookEvents, type EmitWebhookEventInput } from "@/server/webhooks/emit-webhook-event";
import { createWebhookEndpoint } from "@/server/webhooks/manage-webhook-endpoints";
import { webhookEventTypes } from "@/server/webhooks/webhook-event-types";
import { createTestDatabase } from "@/test/database";
import { reportFigures } from "../report";

/*
 * Webhooks out, end to end on one machine: events committed to the outbox (emitWebhookEvents, as
 * the domain writes them), delivered by several cooperating workers (deliverWebhooks, as each
 * server process's in-process worker runs it: SKIP LOCKED claims, 64 requests in flight each) to
 * 10 local HTTP receivers, one endpoint each, that verify every Standard Webhooks signature (in their
 * own process, bench/webhook-receivers.ts, as the product's servers would be).
 *
 * - backlog: BENCH_WEBHOOKS_EVENTS events (default 100,000) are committed, then the workers drain
 *   them → `delivered_per_s` (deliveries verified and acknowledged per second of the drain).
 * - steady: BENCH_WEBHOOKS_STEADY_EVENTS more (default a fifth) committed in batches at half the
 *   measured rate while the workers run → p50/p99 from each event's commit to its verified receipt.
 * Over both: `lost` (committed, never verified by its receiver) and `duplicate_deliveries` (the same
 * webhook-id verified twice by a receiver) must be 0; `rejected_signatures` must be 0.
 */

const receiverCount = 10;
const workerCount = Number(process.env.BENCH_WEBHOOKS_WORKERS ?? 3);
/** The in-process worker's poll interval when idle (src/server/workflows/webhook-jobs.ts). */
const workerIdleMs = 200;
const batchEvents = 250;

type Receipts = { receipts: [number, string, number][]; duplicates: number; rejected: number };

/** The receivers' process (bench/webhook-receivers.ts) and a request/answer over its IPC channel. */
function startReceivers(): { ask: <T>(message: object) => Promise<T>; stop: () => void } {
  const child = fork(path.resolve(import.meta.dirname, "../webhook-receivers.ts"), [], { execArgv: ["--import", "tsx"], stdio: ["ignore", "inherit", "inherit", "ipc"] });
  return {
    ask: <T>(message: object) =>
      new Promise<T>((resolve, reject) => {
        child.once("message", (answer) => resolve(answer as T));
        child.once("exit", (code) => reject(new Error(`receivers exited (${code})`)));
        child.send(message);
      }),
    stop: () => child.disconnect(),
  };
}

const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `count` events round-robin over the receivers' types, committed `batchEvents` per transaction; commit times by id. */
async function commitEvents(db: Db, count: number, offset: number, commits: Map<string, number>, pace?: { perSecond: number }): Promise<void> {
  const started = now();
  for (let done = 0; done < count; done += batchEvents) {
    const size = Math.min(batchEvents, count - done);
    const at = new Date();
    const inputs: EmitWebhookEventInput[] = Array.from({ length: size }, (_, index) => {
      const sequence = offset + done + index;
      return { type: webhookEventTypes[sequence % receiverCount]!, customerId: null, at, data: { object: { object: "bench", sequence, padding: "x".repeat(200) } } };
    });
    const ids = await db.transaction((tx) => emitWebhookEvents(tx, inputs));
    const committed = now();
    for (const id of ids) commits.set(id, committed);
    if (pace) {
      const due = started + ((done + size) / pace.perSecond) * 1000;
      if (due > now()) await sleep(due - now());
    }
  }
}

/** `workerCount` workers deliver until `until()` holds; returns when they have stopped. */
async function runWorkers(db: Db, until: () => boolean): Promise<{ runs: number; failed: number }> {
  const totals = { runs: 0, failed: 0 };
  await Promise.all(
    Array.from({ length: workerCount }, async () => {
      while (!until()) {
        const result = await deliverWebhooks(db, { clock: systemClock });
        totals.runs += 1;
        totals.failed += result.failed + result.gaveUp;
        if (result.claimed === 0) await sleep(workerIdleMs);
      }
    }),
  );
  return totals;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Deliveries not delivered yet, polled every 100 ms while `active()` (the workers' stop condition reads it). */
function watchPending(db: Db, active: () => boolean): { pending: () => number; done: Promise<void> } {
  let pending = Number.POSITIVE_INFINITY;
  const done = (async () => {
    while (active()) {
      const [row] = await executeRows<{ count: string }>(db, sql`select count(*)::text as count from webhook_deliveries where status <> 'delivered'`);
      pending = Number(row?.count ?? 0);
      await sleep(100);
    }
  })();
  return { pending: () => pending, done };
}

export async function run(): Promise<void> {
  const backlogEvents = Number(process.env.BENCH_WEBHOOKS_EVENTS ?? 100_000);
  const steadyEvents = Number(process.env.BENCH_WEBHOOKS_STEADY_EVENTS ?? Math.round(backlogEvents / 5));
  const database = await createTestDatabase({ poolMax: workerCount * 2 + 3, statementTimeoutMs: 0 });
  const receivers = startReceivers();
  try {
    const { db } = database;
    const admin = systemActor("bench");
    const { urls } = await receivers.ask<{ urls: string[] }>({ start: receiverCount });
    const secrets: string[] = [];
    for (const [index, url] of urls.entries()) {
      secrets.push((await createWebhookEndpoint(db, admin, systemClock, { url, description: `bench receiver ${index}`, eventTypes: [webhookEventTypes[index]!], reason: "bench" })).secret);
    }
    await receivers.ask({ secrets });

    // Backlog: commit everything, then drain it (delivered = the receiver verified it and answered 2xx).
    const backlogCommits = new Map<string, number>();
    const committing = now();
    await commitEvents(db, backlogEvents, 0, backlogCommits);
    const commitSeconds = (now() - committing) / 1000;
    const draining = now();
    const drainTimeout = draining + 30 * 60_000;
    let drained = false;
    const backlogWatch = watchPending(db, () => !drained);
    const backlogWork = await runWorkers(db, () => backlogWatch.pending() === 0 || now() > drainTimeout);
    const drainSeconds = (now() - draining) / 1000;
    drained = true;
    await backlogWatch.done;
    const deliveredPerSecond = backlogEvents / drainSeconds;

    // Steady state: commit at half that rate while the workers run; measure commit → verified receipt.
    const steadyCommits = new Map<string, number>();
    let producing = true;
    const rate = Math.max(50, Math.floor(deliveredPerSecond / 2));
    const steadyTimeoutAt = { value: Number.POSITIVE_INFINITY };
    let finished = false;
    const steadyWatch = watchPending(db, () => !finished);
    const workers = runWorkers(db, () => (!producing && steadyWatch.pending() === 0) || now() > steadyTimeoutAt.value);
    await commitEvents(db, steadyEvents, backlogEvents, steadyCommits, { perSecond: rate });
    // The watcher's count may predate the last commit: wait for a fresh one.
    await sleep(250);
    producing = false;
    steadyTimeoutAt.value = now() + 5 * 60_000;
    const steadyWork = await workers;
    finished = true;
    await steadyWatch.done;

    // What the receivers never verified counts as lost.
    const report = await receivers.ask<Receipts>({ report: true });
    const firstReceipt = new Map(report.receipts.map(([, id, at]) => [id, at]));
    const latencies: number[] = [];
    for (const [id, committed] of steadyCommits) {
      const received = firstReceipt.get(id);
      if (received !== undefined) latencies.push(received - committed);
    }
    latencies.sort((left, right) => left - right);
    let lost = 0;
    for (const id of [...backlogCommits.keys(), ...steadyCommits.keys()]) if (!firstReceipt.has(id)) lost += 1;
    const [undelivered] = await executeRows<{ count: string; retried: string }>(db, sql`select count(*) filter (where status <> 'delivered')::text as count, count(*) filter (where attempts > 1)::text as retried from webhook_deliveries`);
    reportFigures("webhooks", {
      events: { value: backlogCommits.size + steadyCommits.size, unit: "events" },
      receivers: { value: receiverCount, unit: "receivers" },
      workers: { value: workerCount, unit: "workers" },
      commit_per_s: { value: Math.round(backlogEvents / commitSeconds), unit: "events/s" },
      delivered_per_s: { value: Math.round(deliveredPerSecond), unit: "deliveries/s" },
      steady_rate_per_s: { value: rate, unit: "events/s" },
      p50_commit_to_delivery_ms: { value: Math.round(percentile(latencies, 50)), unit: "ms" },
      p99_commit_to_delivery_ms: { value: Math.round(percentile(latencies, 99)), unit: "ms" },
      max_commit_to_delivery_ms: { value: Math.round(latencies.at(-1) ?? 0), unit: "ms" },
      lost: { value: lost, unit: "events" },
      duplicate_deliveries: { value: report.duplicates, unit: "deliveries" },
      rejected_signatures: { value: report.rejected, unit: "deliveries" },
      failed_attempts: { value: backlogWork.failed + steadyWork.failed, unit: "attempts" },
      retried_deliveries: { value: Number(undelivered?.retried ?? 0), unit: "deliveries" },
      undelivered: { value: Number(undelivered?.count ?? 0), unit: "deliveries" },
    });
  } finally {
    receivers.stop();
    await database.drop();
  }
}
