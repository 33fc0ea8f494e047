import { and, eq, gt, inArray, isNotNull, lte, ne, notExists, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { invoices, subscriptions, type Subscription } from "@/db/schema";
import type { Actor } from "@/server/audit/actor";
import type { Clock } from "@/server/clock";
import { periodContaining, type BillingPeriod } from "@/server/customers/billing-period";
import { emitSubscriptionEvent, subscriptionBefore } from "@/server/customers/subscription-events";
import { DomainError } from "@/server/errors";
import { ensureAccounts } from "@/server/ledger/ensure-accounts";
import { postTransactions } from "@/server/ledger/post-transactions";
import { loadBillingTerms } from "./billing-terms";
import { invoiceLine, microsToMajor } from "./build-invoice";
import { createInvoice } from "./create-invoice";
import { invoiceAccounts, invoiceKeyOf, invoiceTransactions } from "./invoice-ledger";

export type OpeningInvoiceResult =
  | { status: "created"; invoiceId: string; number: string; totalCents: bigint }
  | { status: "exists"; invoiceId: string }
  /** No fee to bill in advance here: still in the trial, a zero fee, or the trial ends on a period boundary (the previous period's close bills it). */
  | { status: "not_needed"; reason: "trialing" | "no_fee" | "billed_by_period_close" | "ended" };

/**
 * The period whose base fee the opening invoice bills: the one containing the first billed
 * moment (the anchor, or the trial end). When the trial ends exactly on a later period boundary,
 * that period's fee is already billed in advance by the close of the last trial period
 * (`baseFeeFor` in compute-invoice-drafts), so there is no opening invoice (null).
 */
export function openingPeriod(subscription: Pick<Subscription, "billingAnchor" | "trialEnd">, interval: Parameters<typeof periodContaining>[1]): BillingPeriod | null {
  const firstBilled = subscription.trialEnd && subscription.trialEnd > subscription.billingAnchor ? subscription.trialEnd : subscription.billingAnchor;
  const period = periodContaining(subscription.billingAnchor, interval, firstBilled);
  if (period.index > 0 && period.start.getTime() === firstBilled.getTime()) return null;
  return period;
}

/**
 * Creates the subscription's `opening` invoice — seats × the plan's base fee for the first billed
 * period, in advance, as Stripe's first invoice (`subscription_create`, or the trial end's) — once
 * per subscription (checked under the subscription's row lock; `invoices_opening_key` is the
 * backstop). Posted like every invoice (`invoiceTransactions`): Dr `customer:<id>:receivable` in
 * whole cents, Dr/Cr `rounding`, Cr `revenue:subscription:<plan>`, key
 * `invoice:<subscription>:<period start>:opening:1:invoice`. Runs in its own transaction, or as a
 * savepoint of the caller's (e.g. `createSubscription`'s).
 */
export async function createOpeningInvoice(db: Db, input: { subscriptionId: string }, options: { clock: Clock; actor: Actor }): Promise<OpeningInvoiceResult> {
  return db.transaction(async (tx) => {
    const [subscription] = await tx.select().from(subscriptions).where(eq(subscriptions.id, input.subscriptionId)).for("update");
    if (!subscription) throw new DomainError("not_found", "subscription_not_found", `Subscription ${input.subscriptionId} does not exist.`);
    const now = options.clock.now();
    if (subscription.trialEnd && subscription.trialEnd > now) return { status: "not_needed", reason: "trialing" };
    if (subscription.status === "trialing") await endTrial(tx, subscription.id, now);
    const [existing] = await tx.select({ id: invoices.id }).from(invoices).where(and(eq(invoices.subscriptionId, subscription.id), eq(invoices.kind, "opening")));
    if (existing) return { status: "exists", invoiceId: existing.id };
    const terms = (await loadBillingTerms(tx, [subscription.planVersionId])).get(subscription.planVersionId);
    if (!terms) throw new DomainError("not_found", "plan_version_not_found", `Plan version ${subscription.planVersionId} does not exist.`);
    if (terms.baseFeePerSeatMicros === 0n || subscription.seats === 0) return { status: "not_needed", reason: "no_fee" };
    const period = openingPeriod(subscription, terms.interval);
    if (period === null) return { status: "not_needed", reason: "billed_by_period_close" };
    if (subscription.endedAt && subscription.endedAt <= period.start) return { status: "not_needed", reason: "ended" };

    const seats = subscription.seats;
    const line = invoiceLine("base_fee", `${terms.planName} × ${seats} seat${seats === 1 ? "" : "s"} (in advance)`, period, {
      productKey: terms.planKey,
      quantity: String(seats),
      unitPrice: microsToMajor(terms.baseFeePerSeatMicros),
      amountMicros: terms.baseFeePerSeatMicros * BigInt(seats),
    });
    const created = await createInvoice(tx, { subscriptionId: subscription.id, kind: "opening", period, lines: [line], ledgerTransactionIds: [] }, options);
    const ledgerInput = {
      invoiceId: created.invoiceId,
      invoiceKey: invoiceKeyOf(subscription.id, period.start, "opening", created.sequence),
      customerId: subscription.customerId,
      currency: terms.currency,
      planKey: terms.planKey,
      lines: [line],
      totals: created.totals,
      effectiveAt: now,
      actor: options.actor,
    };
    await ensureAccounts(tx, invoiceAccounts(ledgerInput));
    const { results } = await postTransactions(tx, invoiceTransactions(ledgerInput), { clock: options.clock });
    const ids: string[] = [];
    for (const result of results) {
      if (result.status !== "created" && result.status !== "exists") throw new Error(`invoicing: ledger refused the opening invoice of ${subscription.id}: ${result.status}`);
      ids.push(result.transactionId);
    }
    await tx.update(invoices).set({ ledgerTransactionIds: ids }).where(eq(invoices.id, created.invoiceId));
    return { status: "created", invoiceId: created.invoiceId, number: created.number, totalCents: created.totals.totalCents };
  });
}

/**
 * The trial is over: `trialing` → `active` (as Stripe moves it at the trial end), with its
 * `subscription.updated` event, in the caller's transaction under the subscription's row lock.
 */
async function endTrial(tx: Db, subscriptionId: string, now: Date): Promise<void> {
  const before = await subscriptionBefore(tx, subscriptionId, now);
  await tx.update(subscriptions).set({ status: "active", updatedAt: now }).where(and(eq(subscriptions.id, subscriptionId), eq(subscriptions.status, "trialing")));
  await emitSubscriptionEvent(tx, "subscription.updated", subscriptionId, now, before);
}

/** Trials that ended at most this long before `until` are looked at (the close runs hourly; older ones were handled then). */
const trialLookbackMs = 45 * 24 * 3_600_000;

/**
 * Opening invoices of subscriptions whose trial ended by `until` (within 45 days) and that have
 * none yet — period close's hook (`closeDuePeriods` calls it first). Subscriptions without a
 * trial get theirs from `createSubscription`. Returns the outcomes; a failing one is reported,
 * not thrown, so one subscription cannot hold back the others.
 */
export async function createDueOpeningInvoices(
  db: Db,
  input: { until: Date; subscriptionIds?: readonly string[] },
  options: { clock: Clock; actor: Actor },
): Promise<{ created: number; failed: { subscriptionId: string; message: string }[] }> {
  const rows = await db
    .select({ id: subscriptions.id })
    .from(subscriptions)
    .where(
      and(
        isNotNull(subscriptions.trialEnd),
        lte(subscriptions.trialEnd, input.until),
        gt(subscriptions.trialEnd, new Date(input.until.getTime() - trialLookbackMs)),
        ne(subscriptions.status, "incomplete"),
        input.subscriptionIds ? inArray(subscriptions.id, [...input.subscriptionIds]) : undefined,
        notExists(db.select({ one: sql`1` }).from(invoices).where(and(eq(invoices.subscriptionId, subscriptions.id), eq(invoices.kind, "opening")))),
      ),
    )
    .orderBy(subscriptions.id);
  let created = 0;
  const failed: { subscriptionId: string; message: string }[] = [];
  for (const row of rows) {
    try {
      if ((await createOpeningInvoice(db, { subscriptionId: row.id }, options)).status === "created") created += 1;
    } catch (error) {
      failed.push({ subscriptionId: row.id, message: error instanceof Error ? error.message : String(error) });
    }
  }
  return { created, failed };
}
