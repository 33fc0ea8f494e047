import { eq } from "drizzle-orm";
import type Stripe from "stripe";
import type { Db } from "@/db/client";
import { dunningCases, type DunningCase } from "@/db/schema";
import type { Actor } from "@/server/audit/actor";
import { recordAudit } from "@/server/audit/record-audit";
import type { Clock } from "@/server/clock";
import { recordNotification } from "@/server/entitlements/record-notification";
import { DomainError } from "@/server/errors";
import { appendDunningEvent, lockCase } from "./dunning-events";
import { dunningNotificationKinds, gracePeriodDaysMax } from "./policy";
import { settleCase } from "./record-payment-failure";

function checkReason(reason: string): string {
  const trimmed = reason.trim();
  if (trimmed.length < 3 || trimmed.length > 500) throw new DomainError("invalid", "invalid_reason", "Say why (3 to 500 characters).");
  return trimmed;
}

async function requireOpenCase(db: Db, caseId: string): Promise<DunningCase> {
  await db.execute(lockCase(caseId));
  const [row] = await db.select().from(dunningCases).where(eq(dunningCases.id, caseId));
  if (!row) throw new DomainError("not_found", "dunning_case_not_found", "No such payment recovery case.");
  if (row.status !== "open") throw new DomainError("precondition", "dunning_case_closed", `This case is ${row.status.replace("_", " ")}; nothing to do.`);
  return row;
}

const actorLabel = (actor: Actor) => `${actor.type}:${actor.id}`;

/**
 * Support: ask Stripe to charge the invoice now (`invoices.pay`, default payment method). A
 * decline is an answer, not an error: it is recorded on the timeline and returned.
 */
export async function retryPaymentNow(db: Db, stripe: Stripe, actor: Actor, clock: Clock, input: { caseId: string; reason: string }): Promise<{ outcome: "paid" | "declined"; message?: string }> {
  const reason = checkReason(input.reason);
  const [before] = await db.select().from(dunningCases).where(eq(dunningCases.id, input.caseId));
  if (!before) throw new DomainError("not_found", "dunning_case_not_found", "No such payment recovery case.");
  if (before.status !== "open") throw new DomainError("precondition", "dunning_case_closed", `This case is ${before.status.replace("_", " ")}; nothing to do.`);
  let outcome: { outcome: "paid" | "declined"; message?: string; invoice?: Stripe.Invoice };
  try {
    const invoice = await stripe.invoices.pay(before.stripeInvoiceId, {}, { idempotencyKey: `tally:dunning:retry:${before.id}:${clock.now().getTime()}` });
    outcome = { outcome: invoice.status === "paid" ? "paid" : "declined", invoice, message: invoice.status === "paid" ? undefined : `invoice is ${invoice.status}` };
  } catch (caught) {
    const error = caught as { type?: string; message?: string; code?: string };
    if (error.type !== "StripeCardError") throw new DomainError("unavailable", "stripe_unavailable", `Stripe did not take the payment: ${error.message ?? "unknown error"}`);
    outcome = { outcome: "declined", message: error.message ?? error.code ?? "card declined" };
  }
  const now = clock.now();
  await db.transaction(async (tx) => {
    await tx.execute(lockCase(before.id));
    await appendDunningEvent(tx, {
      caseId: before.id,
      kind: outcome.outcome === "paid" ? "retry_paid" : "retry_declined",
      occurredAt: now,
      actor,
      reason,
      details: { message: outcome.message ?? null },
      dedupeKey: `dunning:${before.stripeInvoiceId}:retry:${now.getTime()}:${actorLabel(actor)}`,
    });
    await recordAudit(tx, { actor, action: "dunning.retry_now", objectType: "customer", objectId: before.customerId, reason, after: { stripeInvoiceId: before.stripeInvoiceId, outcome: outcome.outcome, message: outcome.message ?? null } });
    if (outcome.outcome === "paid") await settleCase(tx, clock, before, "paid");
  });
  return { outcome: outcome.outcome, message: outcome.message };
}

/** Support: move the grace end later (1–60 days from now or from the current end, whichever is later). */
export async function extendGracePeriod(db: Db, actor: Actor, clock: Clock, input: { caseId: string; days: number; reason: string }): Promise<DunningCase> {
  const reason = checkReason(input.reason);
  if (!Number.isInteger(input.days) || input.days < 1 || input.days > gracePeriodDaysMax) throw new DomainError("invalid", "invalid_days", `Extend by 1 to ${gracePeriodDaysMax} days.`);
  return db.transaction(async (tx) => {
    const before = await requireOpenCase(tx, input.caseId);
    const base = Math.max(before.graceEndsAt.getTime(), clock.now().getTime());
    const graceEndsAt = new Date(base + input.days * 86_400_000);
    const [after] = await tx.update(dunningCases).set({ graceEndsAt, updatedAt: clock.now() }).where(eq(dunningCases.id, before.id)).returning();
    await appendDunningEvent(tx, { caseId: before.id, kind: "grace_extended", occurredAt: clock.now(), actor, reason, details: { from: before.graceEndsAt.toISOString(), to: graceEndsAt.toISOString() }, dedupeKey: `dunning:${before.stripeInvoiceId}:grace:${graceEndsAt.toISOString()}` });
    await recordAudit(tx, { actor, action: "dunning.grace.extend", objectType: "customer", objectId: before.customerId, reason, before: { graceEndsAt: before.graceEndsAt }, after: { graceEndsAt } });
    return after!;
  });
}

/** Support: send the customer the hosted invoice link (a notification in the outbox). */
export async function sendInvoiceLink(db: Db, actor: Actor, clock: Clock, input: { caseId: string; reason: string }): Promise<{ recorded: boolean }> {
  const reason = checkReason(input.reason);
  return db.transaction(async (tx) => {
    const dunningCase = await requireOpenCase(tx, input.caseId);
    if (!dunningCase.hostedInvoiceUrl) throw new DomainError("precondition", "no_hosted_invoice_url", "Stripe gave this invoice no hosted page; retry the payment or contact the customer.");
    const now = clock.now();
    const recorded = await recordNotification(tx, {
      customerId: dunningCase.customerId,
      kind: dunningNotificationKinds.invoiceLink,
      payload: { stripeInvoiceId: dunningCase.stripeInvoiceId, hostedInvoiceUrl: dunningCase.hostedInvoiceUrl, requestedBy: actorLabel(actor) },
      // One per minute per case: a double click sends one email.
      dedupeKey: `${dunningNotificationKinds.invoiceLink}:${dunningCase.stripeInvoiceId}:${now.toISOString().slice(0, 16)}`,
    });
    if (recorded) {
      await appendDunningEvent(tx, { caseId: dunningCase.id, kind: "invoice_link_sent", occurredAt: now, actor, reason, details: { hostedInvoiceUrl: dunningCase.hostedInvoiceUrl }, dedupeKey: `dunning:${dunningCase.stripeInvoiceId}:link:${now.toISOString().slice(0, 16)}` });
      await recordAudit(tx, { actor, action: "dunning.invoice_link.send", objectType: "customer", objectId: dunningCase.customerId, reason, after: { stripeInvoiceId: dunningCase.stripeInvoiceId } });
    }
    return { recorded };
  });
}
