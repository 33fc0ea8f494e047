import crypto from "node:crypto";
import { and, eq, inArray, isNull, sql } from "drizzle-orm";
import Stripe from "stripe";
import { z } from "zod";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";
import { customers, meters, planVersions, stripeMeterEventSends } from "@/db/schema";
import type { Clock } from "@/server/clock";
import { stripeWrite } from "@/server/stripe/stripe-write";
import { billingSyncKeys, loadPushableInvoice, toSeconds } from "./stripe-refs";

/** Tally aggregations Stripe can mirror by summing hourly values (unique_count / max / latest cannot be). */
const summable = ["count", "sum"] as const;
const identifierLengthMax = 100;

export type SyncMetersResult = { created: { meterKey: string; stripeMeterId: string }[]; skipped: string[] };

/**
 * Creates a Stripe billing meter (`tally_<key>`, summed) for each catalog meter whose
 * aggregation is `count` or `sum` and that has none yet, and records `meters.stripe_meter_id`.
 * Idempotent: the create is keyed by the meter id and the column is written only while null.
 */
export async function syncMeters(db: Db, stripe: Stripe): Promise<SyncMetersResult> {
  const rows = await db.select().from(meters).where(isNull(meters.stripeMeterId)).orderBy(meters.key).limit(500);
  const result: SyncMetersResult = { created: [], skipped: [] };
  for (const meter of rows) {
    if (!(summable as readonly string[]).includes(meter.aggregation)) {
      result.skipped.push(meter.key);
      continue;
    }
    const created = await stripeWrite(db, { operation: "billing.meter.create", objectType: "plan", objectId: meter.id, idempotencyKey: billingSyncKeys.meter(meter.id) }, (options) =>
      stripe.billing.meters.create(
        {
          display_name: meter.name.slice(0, 250),
          event_name: stripeEventName(meter.key),
          default_aggregation: { formula: "sum" },
          customer_mapping: { type: "by_id", event_payload_key: "stripe_customer_id" },
          value_settings: { event_payload_key: "value" },
        },
        options,
      ),
    );
    await db.update(meters).set({ stripeMeterId: created.id }).where(and(eq(meters.id, meter.id), isNull(meters.stripeMeterId)));
    result.created.push({ meterKey: meter.key, stripeMeterId: created.id });
  }
  return result;
}

export function stripeEventName(meterKey: string): string {
  return `tally_${meterKey}`.slice(0, 100);
}

/** `tally:<subscription>:<meter>:<hour unix seconds>`, hashed when longer than Stripe's 100 characters. */
export function meterEventIdentifier(subscriptionId: string, meterKey: string, hour: Date): string {
  const plain = `tally:${subscriptionId}:${meterKey}:${toSeconds(hour)}`;
  if (plain.length <= identifierLengthMax) return plain;
  return `tally:${crypto.createHash("sha256").update(plain).digest("hex").slice(0, 40)}`;
}

export const sendMeterEventsInput = z.object({ invoiceId: z.uuid() });
export type SendMeterEventsResult = { sent: number; alreadySent: number; duplicates: number; tooOld: number; meters: string[] };

/**
 * Sends the invoice period's usage to Stripe as meter events: one per (meter, rollup hour) with
 * the hour's quantity (count: events; sum: the summed value), for the plan's priced meters that
 * have a `stripe_meter_id` and a summable aggregation. Each has a deterministic identifier, so
 * Stripe refuses a second copy (answered `resource_already_exists`: counted as sent), and a local
 * row in `stripe_meter_event_sends`, so a rerun sends nothing. Tally bills usage through invoice
 * items (pushInvoiceToStripe); the meter events give Stripe the usage to show, not to bill, so a
 * late change to an hour already sent is not resent (it is billed as a late-usage line).
 */
export async function sendMeterEvents(db: Db, stripe: Stripe, rawInput: { invoiceId: string }, options: { clock: Clock }): Promise<SendMeterEventsResult> {
  const input = sendMeterEventsInput.parse(rawInput);
  const { invoice, subscription } = await loadPushableInvoice(db, input.invoiceId);
  const [version] = await db.select({ usagePrices: planVersions.usagePrices }).from(planVersions).where(eq(planVersions.id, invoice.planVersionId));
  const meterKeys = (version?.usagePrices ?? []).map((price) => price.meterKey);
  const result: SendMeterEventsResult = { sent: 0, alreadySent: 0, duplicates: 0, tooOld: 0, meters: [] };
  if (meterKeys.length === 0) return result;
  const synced = (await db.select().from(meters).where(inArray(meters.key, meterKeys))).filter(
    (meter) => meter.stripeMeterId !== null && (summable as readonly string[]).includes(meter.aggregation),
  );
  if (synced.length === 0) return result;
  const [customer] = await db.select({ externalId: customers.externalId }).from(customers).where(eq(customers.id, invoice.customerId));
  const stripeSubscription = await stripe.subscriptions.retrieve(subscription.stripeSubscriptionId);
  const stripeCustomerId = typeof stripeSubscription.customer === "string" ? stripeSubscription.customer : stripeSubscription.customer.id;

  for (const meter of synced) {
    result.meters.push(meter.key);
    const stripeMeter = await stripe.billing.meters.retrieve(meter.stripeMeterId!);
    const hours = await executeRows<{ hour: Date | string; value: string }>(
      db,
      sql`select window_start as hour, ${meter.aggregation === "count" ? sql`sum(events)::text` : sql`coalesce(sum(sum_value), 0)::text`} as value
          from usage_rollups
          where meter_id = ${meter.id} and subject = ${customer?.externalId ?? ""}
            and window_start >= date_trunc('hour', ${invoice.periodStart.toISOString()}::timestamptz)
            and window_start < date_trunc('hour', ${invoice.periodEnd.toISOString()}::timestamptz)
          group by window_start order by window_start`,
    );
    const identifiers = hours.map((row) => meterEventIdentifier(subscription.id, meter.key, new Date(row.hour)));
    const done = new Set(
      identifiers.length === 0 ? [] : (await db.select({ identifier: stripeMeterEventSends.identifier }).from(stripeMeterEventSends).where(inArray(stripeMeterEventSends.identifier, identifiers))).map((row) => row.identifier),
    );
    for (const [index, row] of hours.entries()) {
      const identifier = identifiers[index]!;
      if (done.has(identifier)) {
        result.alreadySent += 1;
        continue;
      }
      if (row.value === "0") continue;
      const hour = new Date(row.hour);
      try {
        await stripe.billing.meterEvents.create(
          { event_name: stripeMeter.event_name, identifier, timestamp: toSeconds(hour), payload: { stripe_customer_id: stripeCustomerId, value: row.value } },
          { idempotencyKey: billingSyncKeys.meterEvent(identifier) },
        );
        result.sent += 1;
      } catch (error) {
        if (!(error instanceof Stripe.errors.StripeError) || error.statusCode !== 400) throw error;
        if (error.code === "resource_already_exists") result.duplicates += 1;
        else if (error.code === "timestamp_too_far_in_past") {
          result.tooOld += 1;
          continue;
        } else throw error;
      }
      await db
        .insert(stripeMeterEventSends)
        .values({ identifier, invoiceId: invoice.id, subscriptionId: subscription.id, meterKey: meter.key, hour, value: row.value, sentAt: options.clock.now() })
        .onConflictDoNothing();
    }
  }
  return result;
}
