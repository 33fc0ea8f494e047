import { sql } from "drizzle-orm";
import { Webhook } from "standardwebhooks";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";
import type { Clock } from "@/server/clock";
import { jsonbArray, textArray, timestamptzArray, uuidArray } from "@/server/ledger/sql-arrays";
import { nextAttemptAt, webhookDeliveryPolicy } from "./delivery-policy";
import { disableFailingEndpoints } from "./disable-failing-endpoints";

export type DeliverWebhooksOptions = {
  clock: Clock;
  /** Deliveries per call (default and most: webhookDeliveryPolicy.batchMax). */
  limit?: number;
  /** The HTTP client (tests inject failures); default global fetch. */
  fetch?: typeof fetch;
  random?: () => number;
};

export type DeliveryOutcome = { deliveryId: string; eventId: string; endpointId: string; ok: boolean; statusCode: number | null; error: string | null; durationMs: number; gaveUp: boolean };
export type DeliverWebhooksResult = { claimed: number; delivered: number; failed: number; gaveUp: number; disabledEndpoints: string[]; outcomes: DeliveryOutcome[] };

type Claimed = { id: string; endpoint_id: string; event_id: string; attempts: number; created_at: Date | string; url: string; secret: string; body: string };

/**
 * Sends due webhook deliveries: claims a bounded batch (FOR UPDATE SKIP LOCKED with a lease, so
 * every server process's worker, the job and Inngest cooperate without sending one delivery
 * twice at once), POSTs each signed per Standard Webhooks (`webhook-id` = the event's id, the same
 * on every retry so receivers dedupe; `webhook-timestamp`; `webhook-signature` v1 HMAC-SHA256 of
 * `id.timestamp.body` with the endpoint's secret), then records every attempt and moves each
 * delivery to `delivered`, back to `pending` at its next retry time, or `failed` once the three-day
 * window is over. Endpoints failing for the whole window are disabled (admins are told).
 */
export async function deliverWebhooks(db: Db, options: DeliverWebhooksOptions): Promise<DeliverWebhooksResult> {
  const limit = Math.min(Math.max(options.limit ?? webhookDeliveryPolicy.batchMax, 1), webhookDeliveryPolicy.batchMax);
  const claimed = await claimDeliveries(db, options.clock.now(), limit);
  const result: DeliverWebhooksResult = { claimed: claimed.length, delivered: 0, failed: 0, gaveUp: 0, disabledEndpoints: [], outcomes: [] };
  if (claimed.length === 0) return result;
  const send = options.fetch ?? fetch;
  const attempts: AttemptRecord[] = [];
  const queue = [...claimed];
  const workers = Array.from({ length: Math.min(webhookDeliveryPolicy.concurrency, queue.length) }, async () => {
    for (let item = queue.shift(); item; item = queue.shift()) attempts.push({ claimed: item, ...(await sendSigned(item, send, options.clock)) });
  });
  await Promise.all(workers);
  const now = options.clock.now();
  for (const record of attempts) {
    const createdAt = new Date(record.claimed.created_at);
    const next = record.ok ? null : nextAttemptAt(createdAt, now, record.claimed.attempts, options.random);
    record.status = record.ok ? "delivered" : next === null ? "failed" : "pending";
    record.nextAttemptAt = next ?? now;
    result.outcomes.push({ deliveryId: record.claimed.id, eventId: record.claimed.event_id, endpointId: record.claimed.endpoint_id, ok: record.ok, statusCode: record.statusCode, error: record.error, durationMs: record.durationMs, gaveUp: record.status === "failed" });
    if (record.ok) result.delivered += 1;
    else if (record.status === "failed") result.gaveUp += 1;
    else result.failed += 1;
  }
  await recordAttempts(db, attempts, now);
  const gaveUp = attempts.filter((record) => record.status === "failed").map((record) => ({ endpointId: record.claimed.endpoint_id, createdAt: new Date(record.claimed.created_at) }));
  result.disabledEndpoints = await disableFailingEndpoints(db, options.clock, gaveUp);
  return result;
}

async function claimDeliveries(db: Db, now: Date, limit: number): Promise<Claimed[]> {
  const iso = now.toISOString();
  return executeRows<Claimed>(
    db,
    sql`with due as (
          select d.id from webhook_deliveries d
          join webhook_endpoints e on e.id = d.endpoint_id and e.status = 'enabled'
          where d.status = 'pending' and d.next_attempt_at <= ${iso}::timestamptz and (d.locked_until is null or d.locked_until < ${iso}::timestamptz)
          order by d.next_attempt_at
          limit ${limit}
          for update of d skip locked
        ), claimed as (
          update webhook_deliveries d set locked_until = ${iso}::timestamptz + make_interval(secs => ${webhookDeliveryPolicy.leaseMs / 1000}), attempts = d.attempts + 1
          from due where d.id = due.id
          returning d.id, d.endpoint_id, d.event_id, d.attempts, d.created_at
        )
        select c.id, c.endpoint_id, c.event_id, c.attempts, c.created_at, e.url, e.secret, ev.body
        from claimed c join webhook_endpoints e on e.id = c.endpoint_id join webhook_events ev on ev.id = c.event_id`,
  );
}

export type SendResult = {
  ok: boolean;
  statusCode: number | null;
  responseBody: string | null;
  error: string | null;
  durationMs: number;
  requestHeaders: Record<string, string>;
  attemptedAt: Date;
};

type AttemptRecord = SendResult & { claimed: Claimed; status?: "pending" | "delivered" | "failed"; nextAttemptAt?: Date };

/** Signs and POSTs one event to one endpoint; never throws (a failure is an outcome). */
export async function sendSigned(item: { url: string; secret: string; body: string; event_id: string }, send: typeof fetch, clock: Clock): Promise<SendResult> {
  const attemptedAt = clock.now();
  // The signed timestamp is the real time of sending (receivers refuse one more than 5 minutes
  // off their clock), whatever clock the domain runs on.
  const sentAt = new Date();
  const signature = new Webhook(item.secret).sign(item.event_id, sentAt, item.body);
  const requestHeaders = {
    "content-type": "application/json",
    "user-agent": "Tally-Webhooks/1.0",
    "webhook-id": item.event_id,
    "webhook-timestamp": String(Math.floor(sentAt.getTime() / 1000)),
    "webhook-signature": signature,
  };
  const started = performance.now();
  try {
    const response = await send(item.url, { method: "POST", headers: requestHeaders, body: item.body, redirect: "manual", signal: AbortSignal.timeout(webhookDeliveryPolicy.requestTimeoutMs) });
    const text = await readLimited(response);
    const ok = response.status >= 200 && response.status < 300;
    return { ok, statusCode: response.status, responseBody: text, error: ok ? null : `HTTP ${response.status}`, durationMs: Math.round(performance.now() - started), requestHeaders, attemptedAt };
  } catch (error) {
    const message = error instanceof Error ? (error.name === "TimeoutError" ? `no answer within ${webhookDeliveryPolicy.requestTimeoutMs / 1000} s` : `${error.message}${causeOf(error)}`) : String(error);
    return { ok: false, statusCode: null, responseBody: null, error: message.slice(0, 500), durationMs: Math.round(performance.now() - started), requestHeaders, attemptedAt };
  }
}

function causeOf(error: Error): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause ? ` (${cause.code ?? cause.message ?? "unknown"})` : "";
}

async function readLimited(response: Response): Promise<string> {
  const text = await response.text().catch(() => "");
  return text.length > webhookDeliveryPolicy.responseBodyBytesMax ? `${text.slice(0, webhookDeliveryPolicy.responseBodyBytesMax)}…` : text;
}

/** One statement for the attempts, one for the deliveries, one for the endpoints' failing state. */
async function recordAttempts(db: Db, records: AttemptRecord[], now: Date): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.execute(sql`
      insert into webhook_delivery_attempts (delivery_id, endpoint_id, trigger, request_headers, status_code, response_body, error, duration_ms, attempted_at)
      select * from unnest(${uuidArray(records.map((r) => r.claimed.id))}, ${uuidArray(records.map((r) => r.claimed.endpoint_id))}, ${textArray(records.map(() => "automatic"))},
        ${jsonbArray(records.map((r) => r.requestHeaders))}, ${sql`${textArray(records.map((r) => (r.statusCode === null ? null : String(r.statusCode))))}::int[]`},
        ${textArray(records.map((r) => r.responseBody))}, ${textArray(records.map((r) => r.error))}, ${sql`${textArray(records.map((r) => String(r.durationMs)))}::int[]`},
        ${timestamptzArray(records.map((r) => r.attemptedAt))})`);
    await tx.execute(sql`
      update webhook_deliveries d set status = u.status, next_attempt_at = u.next_attempt_at, locked_until = null, last_status_code = u.status_code, last_error = u.error,
        delivered_at = case when u.status = 'delivered' then ${now.toISOString()}::timestamptz else d.delivered_at end
      from unnest(${uuidArray(records.map((r) => r.claimed.id))}, ${textArray(records.map((r) => r.status!))}, ${timestamptzArray(records.map((r) => r.nextAttemptAt!))},
        ${sql`${textArray(records.map((r) => (r.statusCode === null ? null : String(r.statusCode))))}::int[]`}, ${textArray(records.map((r) => r.error))}) as u(id, status, next_attempt_at, status_code, error)
      where d.id = u.id`);
    const succeeded = [...new Set(records.filter((r) => r.ok).map((r) => r.claimed.endpoint_id))];
    const failing = [...new Set(records.filter((r) => !r.ok).map((r) => r.claimed.endpoint_id))].filter((id) => !succeeded.includes(id));
    if (succeeded.length > 0) await tx.execute(sql`update webhook_endpoints set failing_since = null where id = any(${uuidArray(succeeded)}) and failing_since is not null`);
    if (failing.length > 0) await tx.execute(sql`update webhook_endpoints set failing_since = ${now.toISOString()}::timestamptz where id = any(${uuidArray(failing)}) and failing_since is null`);
  });
}
