import { and, eq, inArray, isNotNull, ne, sql } from "drizzle-orm";
import type Stripe from "stripe";
import type { Db } from "@/db/client";
import { dunningCases, subscriptions, type DunningCase } from "@/db/schema";
import { systemActor, type Actor } from "@/server/audit/actor";
import { recordAudit } from "@/server/audit/record-audit";
import type { Clock } from "@/server/clock";
import { markEntitlementsChanged } from "@/server/entitlements/mark-entitlements-changed";
import { emitSubscriptionEvent, subscriptionBefore } from "@/server/customers/subscription-events";
import { recordNotification } from "@/server/entitlements/record-notification";
import { liftEntitlementRestriction } from "@/server/entitlements/restrict-entitlements";
import { stripeMinorToMicros } from "@/server/stripe/money";
import { appendDunningEvent, lockCase } from "./dunning-events";
import { configuredGracePeriodDays, dunningNotificationKinds, graceEnd } from "./policy";
import { postDunningWriteOff } from "./write-off";

const actor: Actor = systemActor("dunning");

/** What a failed attempt tells Tally; plain data so a seed or fixture can open a case without Stripe. */
export type PaymentFailure = {
  customerId: string;
  stripeInvoiceId: string;
  stripeSubscriptionId: string | null;
  /** The attempt this failure reports (1 = first). */
  attempt: number;
  failedAt: Date;
  /** Current state of the invoice. */
  invoiceStatus: string;
  attemptCount: number;
  nextRetryAt: Date | null;
  amountRemainingMicros: bigint;
  currency: string;
  hostedInvoiceUrl: string | null;
};

const idOf = (value: string | { id: string } | null | undefined): string | null => (value == null ? null : typeof value === "string" ? value : value.id);
const fromUnix = (seconds: number | null | undefined): Date | null => (seconds == null ? null : new Date(seconds * 1000));

/** The invoice's subscription id, wherever the API version puts it. */
function subscriptionIdOf(invoice: Stripe.Invoice): string | null {
  const parent = (invoice as unknown as { parent?: { subscription_details?: { subscription?: string | { id: string } } } }).parent;
  const legacy = (invoice as unknown as { subscription?: string | { id: string } | null }).subscription;
  return idOf(parent?.subscription_details?.subscription ?? legacy ?? null);
}

/**
 * `invoice.payment_failed`: `invoice` is Stripe's current state (re-fetched), `snapshot` the
 * invoice as the event carried it (its `attempt_count` names the attempt, so late or duplicated
 * events still record attempts 1, 2, 3 … once each).
 */
export async function recordPaymentFailure(db: Db, clock: Clock, input: { customerId: string; invoice: Stripe.Invoice; snapshot: unknown; eventCreated: Date }): Promise<DunningCase> {
  const { invoice } = input;
  const snapshotAttempt = (input.snapshot as { attempt_count?: unknown } | null)?.attempt_count;
  return recordPaymentFailureFacts(db, clock, {
    customerId: input.customerId,
    stripeInvoiceId: invoice.id,
    stripeSubscriptionId: subscriptionIdOf(invoice),
    attempt: typeof snapshotAttempt === "number" && snapshotAttempt > 0 ? snapshotAttempt : Math.max(invoice.attempt_count, 1),
    failedAt: input.eventCreated,
    invoiceStatus: invoice.status ?? "open",
    attemptCount: invoice.attempt_count,
    nextRetryAt: fromUnix(invoice.next_payment_attempt),
    amountRemainingMicros: stripeMinorToMicros(invoice.amount_remaining, invoice.currency),
    currency: invoice.currency,
    hostedInvoiceUrl: invoice.hosted_invoice_url ?? null,
  });
}

/** Opens (or updates) the case, records the attempt and its notification — each once. */
export async function recordPaymentFailureFacts(db: Db, clock: Clock, failure: PaymentFailure, options: { gracePeriodDays?: number } = {}): Promise<DunningCase> {
  const graceDays = options.gracePeriodDays ?? configuredGracePeriodDays();
  return db.transaction(async (tx) => {
    await tx
      .insert(dunningCases)
      .values({
        customerId: failure.customerId,
        stripeInvoiceId: failure.stripeInvoiceId,
        stripeSubscriptionId: failure.stripeSubscriptionId,
        attemptCount: failure.attemptCount,
        nextRetryAt: failure.nextRetryAt,
        amountDueMicros: failure.amountRemainingMicros,
        currency: failure.currency,
        hostedInvoiceUrl: failure.hostedInvoiceUrl,
        firstFailedAt: failure.failedAt,
        graceEndsAt: graceEnd(failure.failedAt, graceDays),
        createdAt: clock.now(),
        updatedAt: clock.now(),
      })
      .onConflictDoNothing({ target: dunningCases.stripeInvoiceId });
    const [existing] = await tx.select().from(dunningCases).where(eq(dunningCases.stripeInvoiceId, failure.stripeInvoiceId)).for("update");
    if (!existing) throw new Error(`dunning case for ${failure.stripeInvoiceId} vanished`);
    const opened = await appendDunningEvent(tx, {
      caseId: existing.id,
      kind: "opened",
      occurredAt: failure.failedAt,
      actor,
      details: { graceEndsAt: existing.graceEndsAt.toISOString() },
      dedupeKey: `dunning:${failure.stripeInvoiceId}:opened`,
    });
    const recorded = await appendDunningEvent(tx, {
      caseId: existing.id,
      kind: "payment_failed",
      attempt: failure.attempt,
      occurredAt: failure.failedAt,
      actor,
      details: { nextRetryAt: failure.nextRetryAt?.toISOString() ?? null, amountRemainingMicros: failure.amountRemainingMicros.toString() },
      dedupeKey: `dunning:${failure.stripeInvoiceId}:attempt:${failure.attempt}`,
    });
    let current = existing;
    if (existing.status === "open") {
      // Current state only moves forward: an older event never lowers the attempt count.
      const [updated] = await tx
        .update(dunningCases)
        .set({
          attemptCount: sql`greatest(${dunningCases.attemptCount}, ${failure.attemptCount})`,
          nextRetryAt: failure.attemptCount >= existing.attemptCount ? failure.nextRetryAt : existing.nextRetryAt,
          amountDueMicros: failure.amountRemainingMicros,
          hostedInvoiceUrl: failure.hostedInvoiceUrl ?? existing.hostedInvoiceUrl,
          updatedAt: clock.now(),
        })
        .where(eq(dunningCases.id, existing.id))
        .returning();
      current = updated ?? existing;
      await recordNotification(tx, {
        customerId: failure.customerId,
        kind: dunningNotificationKinds.paymentFailed,
        payload: {
          stripeInvoiceId: failure.stripeInvoiceId,
          attempt: failure.attempt,
          amountDueMicros: failure.amountRemainingMicros.toString(),
          currency: failure.currency,
          nextRetryAt: failure.nextRetryAt?.toISOString() ?? null,
          hostedInvoiceUrl: failure.hostedInvoiceUrl,
        },
        dedupeKey: `${dunningNotificationKinds.paymentFailed}:${failure.stripeInvoiceId}:${failure.attempt}`,
      });
      if (opened || recorded) {
        await recordAudit(tx, {
          actor,
          action: opened ? "dunning.case.open" : "dunning.attempt.failed",
          objectType: "customer",
          objectId: failure.customerId,
          after: { stripeInvoiceId: failure.stripeInvoiceId, attempt: failure.attempt, graceEndsAt: current.graceEndsAt },
        });
      }
    }
    // The failure may be reported after Stripe already settled the invoice.
    return (await settleCase(tx, clock, current, failure.invoiceStatus)) ?? current;
  });
}

/**
 * Brings a case in line with the invoice's current Stripe status: `paid` → recovered (access
 * restored at once); `uncollectible` → written off; `void` → canceled (nothing owed). Other
 * statuses change nothing. Returns the updated case, or undefined when unchanged.
 */
export async function settleCase(db: Db, clock: Clock, dunningCase: DunningCase, invoiceStatus: string, amountPaidMicros?: bigint): Promise<DunningCase | undefined> {
  await db.execute(lockCase(dunningCase.id));
  const [locked] = await db.select().from(dunningCases).where(eq(dunningCases.id, dunningCase.id));
  if (!locked) return undefined;
  const now = clock.now();
  if (invoiceStatus === "paid") {
    if (locked.status === "recovered") return undefined;
    if (locked.status === "written_off" || locked.status === "canceled") {
      if (locked.writtenOffMicros !== null) await postDunningWriteOff(db, clock, locked, "recovered");
    }
    const [updated] = await db
      .update(dunningCases)
      .set({ status: "recovered", closedAt: now, nextRetryAt: null, amountDueMicros: 0n, updatedAt: now })
      .where(eq(dunningCases.id, locked.id))
      .returning();
    await appendDunningEvent(db, { caseId: locked.id, kind: "recovered", occurredAt: now, actor, details: { amountPaidMicros: amountPaidMicros?.toString() ?? null }, dedupeKey: `dunning:${locked.stripeInvoiceId}:recovered` });
    await restoreAccess(db, locked);
    await recordNotification(db, {
      customerId: locked.customerId,
      kind: dunningNotificationKinds.recovered,
      payload: { stripeInvoiceId: locked.stripeInvoiceId },
      dedupeKey: `${dunningNotificationKinds.recovered}:${locked.stripeInvoiceId}`,
    });
    await recordAudit(db, { actor, action: "dunning.case.recover", objectType: "customer", objectId: locked.customerId, before: { status: locked.status }, after: { status: "recovered", stripeInvoiceId: locked.stripeInvoiceId } });
    return updated;
  }
  if (locked.status !== "open") return undefined;
  if (invoiceStatus === "uncollectible") return writeOffCase(db, clock, locked, "written_off", "invoice marked uncollectible");
  if (invoiceStatus === "void") {
    const [updated] = await db.update(dunningCases).set({ status: "canceled", closedAt: now, nextRetryAt: null, updatedAt: now }).where(eq(dunningCases.id, locked.id)).returning();
    await appendDunningEvent(db, { caseId: locked.id, kind: "voided", occurredAt: now, actor, dedupeKey: `dunning:${locked.stripeInvoiceId}:voided` });
    await restoreAccess(db, locked);
    await recordAudit(db, { actor, action: "dunning.case.cancel", objectType: "customer", objectId: locked.customerId, before: { status: locked.status }, after: { status: "canceled", reason: "invoice voided" } });
    return updated;
  }
  return undefined;
}

/** Closes an open case as written off / canceled and posts the write-off once. */
async function writeOffCase(db: Db, clock: Clock, locked: DunningCase, status: "written_off" | "canceled", why: string): Promise<DunningCase | undefined> {
  const now = clock.now();
  const [updated] = await db
    .update(dunningCases)
    .set({ status, closedAt: now, nextRetryAt: null, writtenOffMicros: locked.amountDueMicros, updatedAt: now })
    .where(eq(dunningCases.id, locked.id))
    .returning();
  if (!updated) return undefined;
  const posted = await postDunningWriteOff(db, clock, updated, "write_off");
  await appendDunningEvent(db, {
    caseId: locked.id,
    kind: status === "canceled" ? "canceled" : "written_off",
    occurredAt: now,
    actor,
    reason: why,
    details: { writtenOffMicros: locked.amountDueMicros.toString(), ledger: posted },
    dedupeKey: `dunning:${locked.stripeInvoiceId}:written_off`,
  });
  await recordNotification(db, {
    customerId: locked.customerId,
    kind: dunningNotificationKinds.writtenOff,
    payload: { stripeInvoiceId: locked.stripeInvoiceId, status, amountMicros: locked.amountDueMicros.toString() },
    dedupeKey: `${dunningNotificationKinds.writtenOff}:${locked.stripeInvoiceId}`,
  });
  await recordAudit(db, { actor, action: "dunning.case.write_off", objectType: "customer", objectId: locked.customerId, reason: why, before: { status: locked.status }, after: { status, writtenOffMicros: locked.amountDueMicros } });
  return updated;
}

/** Lifts the dunning restriction unless another open case of the customer is enforced. */
async function restoreAccess(db: Db, closed: DunningCase): Promise<void> {
  if (closed.restrictedAt === null) return;
  const [other] = await db
    .select({ id: dunningCases.id })
    .from(dunningCases)
    .where(and(eq(dunningCases.customerId, closed.customerId), eq(dunningCases.status, "open"), isNotNull(dunningCases.restrictedAt), ne(dunningCases.id, closed.id)))
    .limit(1);
  if (other) return;
  await liftEntitlementRestriction(db, actor, { customerId: closed.customerId, reason: `Payment recovered (invoice ${closed.stripeInvoiceId})` });
}

/** Any invoice event other than `invoice.payment_failed`: settle the invoice's case, if any. */
export async function reconcileDunningInvoice(db: Db, clock: Clock, invoice: Pick<Stripe.Invoice, "id" | "status" | "amount_paid" | "currency">): Promise<DunningCase | undefined> {
  const [existing] = await db.select().from(dunningCases).where(eq(dunningCases.stripeInvoiceId, invoice.id));
  if (!existing || !invoice.status) return undefined;
  return db.transaction((tx) => settleCase(tx, clock, existing, invoice.status!, stripeMinorToMicros(invoice.amount_paid, invoice.currency)));
}

/**
 * `customer.subscription.*`: when Stripe ends the retries with the subscription `unpaid` or
 * `canceled`, the subscription's open cases are written off (canceled for `canceled`), and
 * Tally's subscription follows Stripe's status (so every feature answers `subscription_inactive`).
 * When an `unpaid` subscription becomes `active` again (the invoice was paid), Tally's follows.
 */
export async function reconcileDunningSubscription(db: Db, clock: Clock, subscription: Pick<Stripe.Subscription, "id" | "status">): Promise<number> {
  const followed = ["unpaid", "canceled", "active"] as const;
  const status = followed.find((candidate) => candidate === subscription.status) ?? null;
  if (status === null) return 0;
  return db.transaction(async (tx) => {
    const [tally] = await tx.select().from(subscriptions).where(eq(subscriptions.stripeSubscriptionId, subscription.id)).for("update");
    if (status === "active") {
      if (tally && tally.status === "unpaid") await setTallyStatus(tx, clock, tally.id, tally.customerId, tally.status, "active");
      return 0;
    }
    const open = await tx.select().from(dunningCases).where(and(eq(dunningCases.stripeSubscriptionId, subscription.id), eq(dunningCases.status, "open")));
    let closed = 0;
    for (const dunningCase of open) {
      await tx.execute(lockCase(dunningCase.id));
      const [locked] = await tx.select().from(dunningCases).where(eq(dunningCases.id, dunningCase.id));
      if (locked?.status !== "open") continue;
      if (await writeOffCase(tx, clock, locked, status === "canceled" ? "canceled" : "written_off", `Stripe ended the retries: subscription ${status}`)) closed += 1;
    }
    // Only a subscription Stripe ended for non-payment follows here; other cancellations are Tally's own.
    const unrecovered = await tx
      .select({ id: dunningCases.id })
      .from(dunningCases)
      .where(and(eq(dunningCases.stripeSubscriptionId, subscription.id), inArray(dunningCases.status, ["written_off", "canceled"])))
      .limit(1);
    const hadDunning = closed > 0 || unrecovered.length > 0;
    if (tally && hadDunning && tally.status !== status && tally.status !== "canceled") await setTallyStatus(tx, clock, tally.id, tally.customerId, tally.status, status);
    return closed;
  });
}

async function setTallyStatus(db: Db, clock: Clock, subscriptionId: string, customerId: string, before: string, after: "active" | "unpaid" | "canceled"): Promise<void> {
  const now = clock.now();
  const json = await subscriptionBefore(db, subscriptionId, now);
  await db
    .update(subscriptions)
    .set({ status: after, updatedAt: now, ...(after === "canceled" ? { canceledAt: now, endedAt: now } : {}) })
    .where(eq(subscriptions.id, subscriptionId));
  await markEntitlementsChanged(db, customerId);
  await recordAudit(db, { actor, action: "subscription.status.follow_stripe", objectType: "subscription", objectId: subscriptionId, reason: "Stripe subscription status after payment retries", before: { status: before }, after: { status: after } });
  await emitSubscriptionEvent(db, after === "canceled" ? "subscription.canceled" : "subscription.updated", subscriptionId, now, json);
}
