import http from "node:http";
import type { AddressInfo } from "node:net";
import { sql } from "drizzle-orm";
import { Webhook } from "standardwebhooks";
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
 * 10 local HTTP receivers, one endpoint each, that verify every Standard Webhooks signature.
 *
 * - backlog: BENCH_WEBHOOKS_EVENTS events (default 100,000) are committed, then the workers drain
 *   them → `delivered_per_s` (deliveries verified per second of the drain).
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

type Receiver = { url: string; secret: string | null; verified: Map<string, number>; receivedAt: Map<string, number>; rejected: number; duplicates: number; close: () => Promise<void> };

async function startReceiver(): Promise<Receiver> {
  let verifier: Webhook | null = null;
  const receiver: Receiver = {
    url: "",
    secret: null,
    verified: new Map(),
    receivedAt: new Map(),
    rejected: 0,
    duplicates: 0,
    close: async () => {},
  };
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const id = String(request.headers["webhook-id"]);
      try {
        verifier ??= new Webhook(receiver.secret!);
        verifier.verify(Buffer.concat(chunks).toString("utf8"), { "webhook-id": id, "webhook-timestamp": String(request.headers["webhook-timestamp"]), "webhook-signature": String(request.headers["webhook-signature"]) });
      } catch {
        receiver.rejected += 1;
        response.writeHead(400).end();
        return;
      }
      const seen = receiver.verified.get(id) ?? 0;
      if (seen > 0) receiver.duplicates += 1;
      else receiver.receivedAt.set(id, performance.timeOrigin + performance.now());
      receiver.verified.set(id, seen + 1);
      response.writeHead(204).end();
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks`;
  receiver.close = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return receiver;
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

export async function run(): Promise<void> {
  const backlogEvents = Number(process.env.BENCH_WEBHOOKS_EVENTS ?? 100_000);
  const steadyEvents = Number(process.env.BENCH_WEBHOOKS_STEADY_EVENTS ?? Math.round(backlogEvents / 5));
  const database = await createTestDatabase({ poolMax: workerCount * 2 + 2 });
  const receivers = await Promise.all(Array.from({ length: receiverCount }, () => startReceiver()));
  try {
    const { db } = database;
    const admin = systemActor("bench");
    for (const [index, receiver] of receivers.entries()) {
      const endpoint = await createWebhookEndpoint(db, admin, systemClock, { url: receiver.url, description: `bench receiver ${index}`, eventTypes: [webhookEventTypes[index]!], reason: "bench" });
      receiver.secret = endpoint.secret;
    }
    const commits = new Map<string, number>();
    const verifiedCount = () => receivers.reduce((sum, receiver) => sum + receiver.verified.size, 0);

    // Backlog: commit everything, then drain it.
    const committing = now();
    await commitEvents(db, backlogEvents, 0, commits);
    const commitSeconds = (now() - committing) / 1000;
    const draining = now();
    const drainTimeout = draining + 30 * 60_000;
    const backlogWork = await runWorkers(db, () => verifiedCount() >= backlogEvents || now() > drainTimeout);
    const drainSeconds = (now() - draining) / 1000;
    const deliveredPerSecond = verifiedCount() / drainSeconds;

    // Steady state: commit at half that rate while the workers run; measure commit → verified receipt.
    const steadyCommits = new Map<string, number>();
    let producing = true;
    const rate = Math.max(50, Math.floor(deliveredPerSecond / 2));
    const steadyTimeoutAt = { value: Number.POSITIVE_INFINITY };
    const workers = runWorkers(db, () => (!producing && verifiedCount() >= backlogEvents + steadyEvents) || now() > steadyTimeoutAt.value);
    await commitEvents(db, steadyEvents, backlogEvents, steadyCommits, { perSecond: rate });
    producing = false;
    steadyTimeoutAt.value = now() + 5 * 60_000;
    const steadyWork = await workers;
    for (const [id, at] of steadyCommits) commits.set(id, at);
    // What is not verified by now counts as lost.
    const latencies: number[] = [];
    for (const receiver of receivers) {
      for (const [id, receivedAt] of receiver.receivedAt) if (steadyCommits.has(id)) latencies.push(receivedAt - steadyCommits.get(id)!);
    }
    latencies.sort((left, right) => left - right);
    let lost = 0;
    for (const id of commits.keys()) if (!receivers.some((receiver) => receiver.verified.has(id))) lost += 1;
    const [undelivered] = await executeRows<{ count: string; retried: string }>(db, sql`select count(*) filter (where status <> 'delivered')::text as count, count(*) filter (where attempts > 1)::text as retried from webhook_deliveries`);
    reportFigures("webhooks", {
      events: { value: commits.size, unit: "events" },
      receivers: { value: receiverCount, unit: "receivers" },
      workers: { value: workerCount, unit: "workers" },
      commit_per_s: { value: Math.round(backlogEvents / commitSeconds), unit: "events/s" },
      delivered_per_s: { value: Math.round(deliveredPerSecond), unit: "deliveries/s" },
      steady_rate_per_s: { value: rate, unit: "events/s" },
      p50_commit_to_delivery_ms: { value: Math.round(percentile(latencies, 50)), unit: "ms" },
      p99_commit_to_delivery_ms: { value: Math.round(percentile(latencies, 99)), unit: "ms" },
      max_commit_to_delivery_ms: { value: Math.round(latencies.at(-1) ?? 0), unit: "ms" },
      lost: { value: lost, unit: "events" },
      duplicate_deliveries: { value: receivers.reduce((sum, receiver) => sum + receiver.duplicates, 0), unit: "deliveries" },
      rejected_signatures: { value: receivers.reduce((sum, receiver) => sum + receiver.rejected, 0), unit: "deliveries" },
      failed_attempts: { value: backlogWork.failed + steadyWork.failed, unit: "attempts" },
      retried_deliveries: { value: Number(undelivered?.retried ?? 0), unit: "deliveries" },
      undelivered: { value: Number(undelivered?.count ?? 0), unit: "deliveries" },
    });
  } finally {
    await Promise.all(receivers.map((receiver) => receiver.close()));
    await database.drop();
  }
}
