import { sql } from "drizzle-orm";
import type Stripe from "stripe";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";
import { stripeWebhookEvents } from "@/db/schema";
import type { Clock } from "@/server/clock";
import { isDomainError } from "@/server/errors";
import { applyStripeEvent } from "./apply-stripe-event";
import { stripeWebhookProcessedTotal } from "@/server/observability/tally-metrics";

export const webhookProcessingLimits = {
  batchMax: 100,
  /** After this many failed attempts an event is parked for a person to look at. */
  attemptsMax: 8,
  /** A claim lasts this long; a worker that dies mid-batch releases its events when it passes. */
  leaseSeconds: 120,
  backoffBaseSeconds: 10,
  backoffMaxSeconds: 3600,
  errorLengthMax: 2000,
} as const;

export type ProcessWebhookEventsOptions = {
  stripe: Stripe;
  clock: Clock;
  /** Events per call (default 25, at most 100). */
  limit?: number;
  /** Only these events (the Inngest function processes the one it was sent). */
  eventIds?: string[];
  attemptsMax?: number;
};

export type ProcessedEvent = { eventId: string; type: string; status: "processed" | "failed" | "parked"; note?: string; error?: string };
export type ProcessWebhookEventsResult = { claimed: number; processed: number; failed: number; parked: number; events: ProcessedEvent[] };

/** Delay before attempt n+1 after n failures: 10 s, 20 s, 40 s, ... capped at an hour. */
export function webhookRetryDelaySeconds(attempts: number): number {
  const { backoffBaseSeconds, backoffMaxSeconds } = webhookProcessingLimits;
  return Math.min(backoffMaxSeconds, backoffBaseSeconds * 2 ** Math.min(Math.max(attempts - 1, 0), 16));
}

/**
 * Drains due events from the inbox: claims a bounded batch (FOR UPDATE SKIP LOCKED, so workers,
 * the job and Inngest cooperate without taking the same event), applies each in its own
 * database transaction together with its status change, and records failures with backoff,
 * parking an event after `attemptsMax` attempts.
 */
export async function processWebhookEvents(db: Db, options: ProcessWebhookEventsOptions): Promise<ProcessWebhookEventsResult> {
  const limit = Math.min(Math.max(options.limit ?? 25, 1), webhookProcessingLimits.batchMax);
  const attemptsMax = options.attemptsMax ?? webhookProcessingLimits.attemptsMax;
  const claimed = await claimEvents(db, options.clock.now(), limit, options.eventIds);
  const result: ProcessWebhookEventsResult = { claimed: claimed.length, processed: 0, failed: 0, parked: 0, events: [] };
  for (const event of claimed) {
    const outcome = await processOne(db, options, event, attemptsMax);
    result[outcome.status] += 1;
    stripeWebhookProcessedTotal.inc({ outcome: outcome.status });
    result.events.push(outcome);
  }
  return result;
}

type ClaimedEvent = { id: string; type: string; created: Date; payload: Record<string, unknown>; attempts: number };

async function claimEvents(db: Db, now: Date, limit: number, eventIds: string[] | undefined): Promise<ClaimedEvent[]> {
  const iso = now.toISOString();
  const onlyIds = eventIds === undefined ? sql`true` : sql`id = any(${`{${eventIds.slice(0, webhookProcessingLimits.batchMax).map((id) => `"${id.replace(/[^A-Za-z0-9_]/g, "")}"`).join(",")}}`}::text[])`;
  const rows = await executeRows<{ id: string; type: string; created: Date | string; payload: Record<string, unknown>; attempts: number }>(
    db,
    sql`update stripe_webhook_events set locked_until = ${iso}::timestamptz + make_interval(secs => ${webhookProcessingLimits.leaseSeconds}), attempts = attempts + 1
        where id in (
          select id from stripe_webhook_events
          where status in ('pending', 'failed') and next_attempt_at <= ${iso}::timestamptz and (locked_until is null or locked_until < ${iso}::timestamptz) and ${onlyIds}
          order by created, id
          limit ${limit}
          for update skip locked
        )
        returning id, type, created, payload, attempts`,
  );
  return rows
    .map((row) => ({ ...row, created: new Date(row.created) }))
    .sort((a, b) => a.created.getTime() - b.created.getTime() || (a.id < b.id ? -1 : 1));
}

async function processOne(db: Db, options: ProcessWebhookEventsOptions, event: ClaimedEvent, attemptsMax: number): Promise<ProcessedEvent> {
  try {
    const applied = await db.transaction(async (tx) => {
      const outcome = await applyStripeEvent(tx, options.stripe, options.clock, event);
      await tx
        .update(stripeWebhookEvents)
        .set({ status: "processed", processedAt: options.clock.now(), lastError: null, lockedUntil: null })
        .where(sql`${stripeWebhookEvents.id} = ${event.id}`);
      return outcome;
    });
    return { eventId: event.id, type: event.type, status: "processed", note: applied.note };
  } catch (error) {
    const message = describeFailure(error).slice(0, webhookProcessingLimits.errorLengthMax);
    const parked = event.attempts >= attemptsMax;
    const nextAttemptAt = new Date(options.clock.now().getTime() + webhookRetryDelaySeconds(event.attempts) * 1000);
    await db
      .update(stripeWebhookEvents)
      .set({ status: parked ? "parked" : "failed", lastError: message, nextAttemptAt, lockedUntil: null })
      .where(sql`${stripeWebhookEvents.id} = ${event.id}`);
    return { eventId: event.id, type: event.type, status: parked ? "parked" : "failed", error: message };
  }
}

function describeFailure(error: unknown): string {
  if (isDomainError(error)) return `${error.code}: ${error.message}`;
  if (error instanceof Error) {
    const stripe = error as Error & { statusCode?: number; code?: string };
    return stripe.statusCode ? `stripe ${stripe.statusCode}${stripe.code ? ` ${stripe.code}` : ""}: ${error.message}` : error.message;
  }
  return String(error);
}
