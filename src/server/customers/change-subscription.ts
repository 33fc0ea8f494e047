import { itemFailure, type ItemFailure } from "@/server/jobs/item-failures";
import { and, asc, eq, lte, ne, notInArray } from "drizzle-orm";
import type Stripe from "stripe";
import type { Db } from "@/db/client";
import { subscriptionScheduledChanges, subscriptions, type SubscriptionScheduledChange } from "@/db/schema";
import type { Actor } from "@/server/audit/actor";
import { recordAudit } from "@/server/audit/record-audit";
import type { Clock } from "@/server/clock";
import { markEntitlementsChanged } from "@/server/entitlements/mark-entitlements-changed";
import { DomainError } from "@/server/errors";
import { linkStripeInvoice } from "@/server/billing-sync/link-invoice";
import { invoiceLine } from "@/server/invoicing/build-invoice";
import { closeSubscriptionPeriod } from "@/server/invoicing/close-subscription-period";
import { createInvoice } from "@/server/invoicing/create-invoice";
import { ledgerAccountCodes } from "@/server/ledger/account-codes";
import { ensureAccounts } from "@/server/ledger/ensure-accounts";
import { postTransactions } from "@/server/ledger/post-transactions";
import type { LedgerEntryInput } from "@/server/ledger/types";
import { syncPlanVersion } from "@/server/stripe/sync-plan-version";
import { syncSubscription } from "@/server/stripe/sync-subscription";
import { getLiveSubscription } from "./get-subscription";
import { computeChange, resolveChange, type ChangeTiming, type SubscriptionChangePreview } from "./preview-subscription-change";
import { pushScheduledChange, releaseStaleSchedule } from "./scheduled-change-stripe";
import { emitSubscriptionEvent, subscriptionBefore } from "./subscription-events";

export type ChangeSubscriptionInput =
  | { action: "change"; customerId: string; planVersionId?: string; seats?: number; timing?: ChangeTiming; reason: string }
  | { action: "cancel"; customerId: string; at: "now" | "period_end"; reason: string }
  | { action: "resume"; customerId: string; reason: string };

export type ChangeSubscriptionResult = {
  subscriptionId: string;
  changeId: string | null;
  status: "applied" | "scheduled";
  effectiveAt: Date;
  preview: SubscriptionChangePreview | null;
  /** Tally's `proration` invoice of an immediate change with prorations (linked to Stripe's `subscription_update` invoice when synced). */
  invoiceId: string | null;
  /** What was pushed to Stripe: `scheduled` = a subscription schedule carries a period-end change; `skipped` when not synced (or no client given). */
  stripe: "updated" | "scheduled" | "canceled" | "unchanged" | "skipped";
};

export const subscriptionChangeLedgerKey = (changeId: string) => `subscription-change:${changeId}:proration`;

function checkReason(reason: string): string {
  const trimmed = reason.trim();
  if (trimmed.length < 3 || trimmed.length > 500) throw new DomainError("invalid", "invalid_reason", "Say why (3 to 500 characters).");
  return trimmed;
}

/**
 * Changes a live subscription. Default policy: upgrades now with prorations invoiced at once
 * (Stripe `always_invoice`, same proration date as Tally's lines); downgrades and equal-price
 * changes at period end (a `scheduled` row, applied by `applyDueScheduledChanges`); `timing`
 * overrides. Due periods are closed before anything changes. Entitlements switch in the same
 * transaction the change takes effect in. Cancel now / at period end and resume go through
 * the Stripe sync.
 */
export async function changeSubscription(db: Db, stripe: Stripe | null, actor: Actor, clock: Clock, input: ChangeSubscriptionInput): Promise<ChangeSubscriptionResult> {
  const reason = checkReason(input.reason);
  const now = clock.now();
  const [live] = await db.select().from(subscriptions).where(and(eq(subscriptions.customerId, input.customerId), ne(subscriptions.status, "canceled")));
  if (!live) throw new DomainError("precondition", "no_live_subscription", "This customer has no live subscription to change.");
  await applyDueScheduledChanges(db, actor, clock, { subscriptionId: live.id });
  // Bill what is due under the current plan before the plan changes (idempotent).
  const closed = await closeSubscriptionPeriod(db, { subscriptionId: live.id, until: now }, { clock, actor });
  if (closed.failed.length > 0) throw new DomainError("conflict", "period_close_failed", `Closing the due billing period failed first: ${closed.failed[0]!.message}`);
  if (input.action === "change") return applyPlanChange(db, stripe, actor, clock, input, reason);
  return applyCancelOrResume(db, stripe, actor, clock, input, reason);
}

async function applyPlanChange(db: Db, stripe: Stripe | null, actor: Actor, clock: Clock, input: Extract<ChangeSubscriptionInput, { action: "change" }>, reason: string): Promise<ChangeSubscriptionResult> {
  const outcome = await db.transaction(async (tx) => {
    let invoiceId: string | null = null;
    const resolved = await resolveChange(tx, clock, input);
    const { live, fromVersion, toVersion, seats, now } = resolved;
    await tx.select({ id: subscriptions.id }).from(subscriptions).where(eq(subscriptions.id, live.subscription.id)).for("update");
    const before = await subscriptionBefore(tx, live.subscription.id, now);
    const preview = computeChange(live, fromVersion, toVersion, seats, now, input.timing);
    // A newer decision replaces a pending one.
    await tx
      .update(subscriptionScheduledChanges)
      .set({ status: "canceled" })
      .where(and(eq(subscriptionScheduledChanges.subscriptionId, live.subscription.id), eq(subscriptionScheduledChanges.status, "scheduled")));
    const [change] = await tx
      .insert(subscriptionScheduledChanges)
      .values({
        subscriptionId: live.subscription.id,
        status: preview.timing === "now" ? "applied" : "scheduled",
        fromPlanVersionId: fromVersion.id,
        toPlanVersionId: toVersion.id,
        fromSeats: live.subscription.seats,
        toSeats: seats,
        effectiveAt: preview.effectiveAt,
        prorationLines: preview.lines.map((line) => ({ ...line, unitAmountMinor: line.unitAmountMinor.toString(), amountMinor: line.amountMinor.toString(), amountMicros: line.amountMicros.toString() })),
        reason,
        createdBy: `${actor.type}:${actor.id}`,
        appliedAt: preview.timing === "now" ? now : null,
        createdAt: now,
      })
      .returning();
    if (!change) throw new Error("insert returned no row");
    if (preview.timing === "now") {
      await tx.update(subscriptions).set({ planVersionId: toVersion.id, seats, updatedAt: now }).where(eq(subscriptions.id, live.subscription.id));
      await markEntitlementsChanged(tx, input.customerId);
      const posted = await postProration(tx, clock, input.customerId, change.id, preview);
      if (posted !== null) invoiceId = await createProrationInvoice(tx, clock, actor, change.id, preview, posted);
    }
    await recordAudit(tx, {
      actor,
      action: preview.timing === "now" ? "subscription.change" : "subscription.change.schedule",
      objectType: "customer",
      objectId: input.customerId,
      reason,
      before: { planVersionId: fromVersion.id, plan: fromVersion.plan.key, version: fromVersion.version, seats: live.subscription.seats },
      after: { planVersionId: toVersion.id, plan: toVersion.plan.key, version: toVersion.version, seats, effectiveAt: preview.effectiveAt, prorationTotalMinor: preview.totalMinor.toString(), changeId: change.id },
    });
    await emitSubscriptionEvent(tx, "subscription.updated", live.subscription.id, now, before);
    return { change, preview, invoiceId, stripeSubscriptionId: live.subscription.stripeSubscriptionId };
  });
  const { change, preview, invoiceId } = outcome;
  let pushed: ChangeSubscriptionResult["stripe"] = "skipped";
  if (preview.timing === "period_end" && stripe !== null && outcome.stripeSubscriptionId !== null) {
    await pushScheduledChange(db, stripe, change, outcome.stripeSubscriptionId);
    pushed = "scheduled";
  }
  if (preview.timing === "now" && stripe !== null && outcome.stripeSubscriptionId !== null) {
    // A pending period-end change this one replaced no longer needs its schedule.
    await releaseStaleSchedule(db, stripe, change.subscriptionId);
    const current = await stripe.subscriptions.retrieve(outcome.stripeSubscriptionId);
    const item = current.items.data[0];
    const { stripePriceId } = await syncPlanVersion(db, stripe, { planVersionId: change.toPlanVersionId });
    const updated = await stripe.subscriptions.update(
      current.id,
      {
        items: [item ? { id: item.id, price: stripePriceId, quantity: change.toSeats } : { price: stripePriceId, quantity: change.toSeats }],
        proration_behavior: preview.lines.length > 0 ? "always_invoice" : "none",
        proration_date: Math.floor(change.effectiveAt.getTime() / 1000),
      },
      { idempotencyKey: `tally:subscription-change:${change.id}` },
    );
    pushed = "updated";
    // `always_invoice`: the update's invoice is Stripe's bill of Tally's proration invoice.
    const stripeInvoiceId = typeof updated.latest_invoice === "string" ? updated.latest_invoice : (updated.latest_invoice?.id ?? null);
    if (invoiceId !== null && stripeInvoiceId !== null) await linkStripeInvoice(db, stripe, { invoiceId, stripeInvoiceId }, { clock });
  }
  return { subscriptionId: change.subscriptionId, changeId: change.id, status: change.status === "applied" ? "applied" : "scheduled", effectiveAt: change.effectiveAt, preview, invoiceId, stripe: pushed };
}

/**
 * The proration lines in the ledger, once (key from the change id): the receivable takes the net,
 * each plan's `revenue:subscription:<plan key>` the credit (debited back) or debit (credited).
 */
async function postProration(db: Db, clock: Clock, customerId: string, changeId: string, preview: SubscriptionChangePreview): Promise<string | null> {
  if (preview.lines.length === 0) return null;
  const currency = preview.currency;
  const receivable = ledgerAccountCodes.customerReceivable(customerId);
  // Signed per account, debit positive.
  const signed = new Map<string, bigint>();
  const add = (code: string, amount: bigint) => signed.set(code, (signed.get(code) ?? 0n) + amount);
  for (const line of preview.lines) {
    const plan = prorationPlanKey(preview, line);
    add(receivable, line.amountMicros);
    add(ledgerAccountCodes.revenueSubscription(plan), -line.amountMicros);
  }
  const entries: LedgerEntryInput[] = [...signed.entries()]
    .filter(([, amount]) => amount !== 0n)
    .map(([accountCode, amount]) => ({ accountCode, direction: amount > 0n ? "debit" : "credit", amount: amount > 0n ? amount : -amount, currency }));
  if (entries.length === 0) return null;
  await ensureAccounts(db, [
    { code: receivable, kind: "asset", currency, customerId },
    ...[...signed.keys()].filter((code) => code !== receivable).map((code) => ({ code, kind: "revenue" as const, currency })),
  ]);
  const { results } = await postTransactions(
    db,
    [
      {
        idempotencyKey: subscriptionChangeLedgerKey(changeId),
        actor: { type: "system", id: "subscription-change", label: "subscription-change" },
        kind: "proration",
        description: `Proration: ${preview.from.planName} ×${preview.from.seats} → ${preview.to.planName} ×${preview.to.seats}`,
        references: { customerId },
        entries,
      },
    ],
    { clock },
  );
  const result = results[0];
  if (result?.status !== "created" && result?.status !== "exists") {
    throw new DomainError("conflict", `ledger_${result?.status ?? "no_result"}`, `Posting the proration failed: ${result && "message" in result ? result.message : "no result"}`);
  }
  return result.transactionId;
}

function prorationPlanKey(preview: SubscriptionChangePreview, line: SubscriptionChangePreview["lines"][number]): string {
  return line.planVersionId === preview.from.planVersionId && line.kind === "credit" ? preview.from.planKey : preview.to.planKey;
}

/**
 * Tally's `proration` invoice of an immediate change: the preview's lines (credit for the unused
 * old plan, debit for the new), numbered by invoicing, for [change time, period end). The ledger
 * posting is the change's single `proration` transaction, recorded on the invoice, not posted again.
 */
async function createProrationInvoice(db: Db, clock: Clock, actor: Actor, changeId: string, preview: SubscriptionChangePreview, ledgerTransactionId: string): Promise<string> {
  const period = { start: preview.effectiveAt, end: preview.period.end };
  const lines = preview.lines.map((line) =>
    invoiceLine("proration", line.description, period, {
      productKey: prorationPlanKey(preview, line),
      quantity: String(line.quantity),
      amountMicros: line.amountMicros,
      metadata: { changeId, prorationKind: line.kind, planVersionId: line.planVersionId, unitAmountMinor: line.unitAmountMinor.toString() },
    }),
  );
  const created = await createInvoice(db, { subscriptionId: preview.subscriptionId, kind: "proration", period, lines, ledgerTransactionIds: [ledgerTransactionId] }, { clock, actor });
  return created.invoiceId;
}

async function applyCancelOrResume(db: Db, stripe: Stripe | null, actor: Actor, clock: Clock, input: Exclude<ChangeSubscriptionInput, { action: "change" }>, reason: string): Promise<ChangeSubscriptionResult> {
  const now = clock.now();
  const result = await db.transaction(async (tx) => {
    const [before] = await tx.select().from(subscriptions).where(and(eq(subscriptions.customerId, input.customerId), ne(subscriptions.status, "canceled"))).for("update");
    const live = before;
    if (!live) throw new DomainError("precondition", "no_live_subscription", "This customer has no live subscription.");
    const json = await subscriptionBefore(tx, live.id, now);
    let set: Partial<typeof subscriptions.$inferInsert>;
    let action: string;
    if (input.action === "resume") {
      if (!live.cancelAtPeriodEnd) throw new DomainError("precondition", "not_canceling", "The subscription is not set to cancel; nothing to resume.");
      set = { cancelAtPeriodEnd: false };
      action = "subscription.resume";
    } else if (input.at === "period_end") {
      if (live.cancelAtPeriodEnd) throw new DomainError("precondition", "already_canceling", "The subscription already cancels at period end.");
      set = { cancelAtPeriodEnd: true };
      action = "subscription.cancel.schedule";
      // Nothing to change at the end of a subscription that ends there.
      await tx
        .update(subscriptionScheduledChanges)
        .set({ status: "canceled" })
        .where(and(eq(subscriptionScheduledChanges.subscriptionId, live.id), eq(subscriptionScheduledChanges.status, "scheduled")));
    } else {
      set = { status: "canceled", canceledAt: now, endedAt: now };
      action = "subscription.cancel";
      await tx
        .update(subscriptionScheduledChanges)
        .set({ status: "canceled" })
        .where(and(eq(subscriptionScheduledChanges.subscriptionId, live.id), eq(subscriptionScheduledChanges.status, "scheduled")));
    }
    const [after] = await tx.update(subscriptions).set({ ...set, updatedAt: now }).where(eq(subscriptions.id, live.id)).returning();
    await markEntitlementsChanged(tx, input.customerId);
    await recordAudit(tx, {
      actor,
      action,
      objectType: "customer",
      objectId: input.customerId,
      reason,
      before: { status: live.status, cancelAtPeriodEnd: live.cancelAtPeriodEnd },
      after: { status: after!.status, cancelAtPeriodEnd: after!.cancelAtPeriodEnd },
    });
    await emitSubscriptionEvent(tx, after!.status === "canceled" ? "subscription.canceled" : "subscription.updated", live.id, now, json);
    return after!;
  });
  let pushed: ChangeSubscriptionResult["stripe"] = "skipped";
  if (stripe !== null && result.stripeSubscriptionId !== null) {
    // Cancel at period end / resume: a schedule of a change no longer pending is released first (cancel now cancels it in Stripe).
    if (result.status !== "canceled") await releaseStaleSchedule(db, stripe, result.id);
    const synced = await syncSubscription(db, stripe, clock, { subscriptionId: result.id });
    pushed = synced.action === "canceled" ? "canceled" : synced.action === "updated" ? "updated" : "unchanged";
  }
  const effectiveAt = input.action === "cancel" && input.at === "period_end" ? (await resolveEnd(db, clock, input.customerId)) ?? now : now;
  return { subscriptionId: result.id, changeId: null, status: effectiveAt > now ? "scheduled" : "applied", effectiveAt, preview: null, invoiceId: null, stripe: pushed };
}

async function resolveEnd(db: Db, clock: Clock, customerId: string): Promise<Date | undefined> {
  return (await getLiveSubscription(db, customerId, clock.now()))?.currentPeriod.end;
}

/**
 * Applies scheduled changes whose time has come (one transaction each; the due period is closed
 * first). A change is skipped (canceled) if the subscription moved on since it was scheduled.
 */
export const scheduledChangeItemKey = (changeId: string) => `scheduled_change:${changeId}`;

export async function applyDueScheduledChanges(
  db: Db,
  actor: Actor,
  clock: Clock,
  options: { subscriptionId?: string; limit?: number; skipChangeIds?: ReadonlySet<string> } = {},
): Promise<{ applied: SubscriptionScheduledChange[]; due: number; failed: ItemFailure[] }> {
  const now = clock.now();
  const conditions = [eq(subscriptionScheduledChanges.status, "scheduled"), lte(subscriptionScheduledChanges.effectiveAt, now)];
  if (options.subscriptionId) conditions.push(eq(subscriptionScheduledChanges.subscriptionId, options.subscriptionId));
  if (options.skipChangeIds && options.skipChangeIds.size > 0) conditions.push(notInArray(subscriptionScheduledChanges.id, [...options.skipChangeIds]));
  const due = await db
    .select()
    .from(subscriptionScheduledChanges)
    .where(and(...conditions))
    .orderBy(asc(subscriptionScheduledChanges.effectiveAt))
    .limit(Math.min(options.limit ?? 500, 500));
  const applied: SubscriptionScheduledChange[] = [];
  const failed: ItemFailure[] = [];
  for (const change of due) {
    // One change that fails (its period cannot be closed, ...) is recorded; the others are applied.
    const key = scheduledChangeItemKey(change.id);
    const closed = await closeSubscriptionPeriod(db, { subscriptionId: change.subscriptionId, until: change.effectiveAt }, { clock, actor }).catch((error: unknown) => {
      failed.push(itemFailure(key, error));
      return null;
    });
    if (!closed) continue;
    if (closed.failed.length > 0) {
      failed.push({ itemKey: key, code: closed.failed[0]!.code, message: `the period before the change could not be closed: ${closed.failed[0]!.message}` });
      continue;
    }
    const done = await db.transaction(async (tx) => {
      const [subscription] = await tx.select().from(subscriptions).where(eq(subscriptions.id, change.subscriptionId)).for("update");
      const [current] = await tx.select().from(subscriptionScheduledChanges).where(eq(subscriptionScheduledChanges.id, change.id)).for("update");
      if (!subscription || current?.status !== "scheduled") return undefined;
      if (subscription.status === "canceled" || subscription.planVersionId !== change.fromPlanVersionId || subscription.seats !== change.fromSeats) {
        await tx.update(subscriptionScheduledChanges).set({ status: "canceled" }).where(eq(subscriptionScheduledChanges.id, change.id));
        return undefined;
      }
      const before = await subscriptionBefore(tx, subscription.id, now);
      await tx.update(subscriptions).set({ planVersionId: change.toPlanVersionId, seats: change.toSeats, updatedAt: now }).where(eq(subscriptions.id, subscription.id));
      const [after] = await tx.update(subscriptionScheduledChanges).set({ status: "applied", appliedAt: now }).where(eq(subscriptionScheduledChanges.id, change.id)).returning();
      await markEntitlementsChanged(tx, subscription.customerId);
      await recordAudit(tx, {
        actor,
        action: "subscription.change.apply_scheduled",
        objectType: "customer",
        objectId: subscription.customerId,
        reason: change.reason,
        before: { planVersionId: change.fromPlanVersionId, seats: change.fromSeats },
        after: { planVersionId: change.toPlanVersionId, seats: change.toSeats, changeId: change.id, effectiveAt: change.effectiveAt },
      });
      await emitSubscriptionEvent(tx, "subscription.updated", subscription.id, now, before);
      return after;
    }).catch((error: unknown) => {
      failed.push(itemFailure(key, error));
      return undefined;
    });
    if (done) applied.push(done);
  }
  return { applied, due: due.length, failed };
}
