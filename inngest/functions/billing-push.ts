import { sendMeterEvents } from "@/server/billing-sync/meter-events";
import { pushDueInvoices } from "@/server/billing-sync/push-due";
import { pushInvoiceToStripe } from "@/server/billing-sync/push-invoice";
import { inngest } from "../client";
import { defaultStripeContext, stopOnPermanentError, type StripeFunctionContext } from "./stripe-context";

export const pushInvoiceEvent = "billing/invoice.push";

const bigintSafe = (value: unknown): Record<string, unknown> =>
  JSON.parse(JSON.stringify(value, (_key, inner: unknown) => (typeof inner === "bigint" ? inner.toString() : inner))) as Record<string, unknown>;

/**
 * Hourly at :20 (after `invoicing-close-due` at :05 and the per-subscription closes it fans out;
 * well inside Stripe's one-hour draft window of the renewal): pushes every finalized period
 * invoice not yet on a Stripe invoice (`billing:push-due`). Idempotent, so overlapping runs and
 * retries are harmless.
 */
export function createBillingPushDueFunction(context: StripeFunctionContext = defaultStripeContext) {
  return inngest.createFunction(
    { id: "billing-push-due", name: "Push closed invoices to Stripe", retries: 3, concurrency: { limit: 1 }, triggers: [{ cron: "TZ=UTC 20 * * * *" }] },
    async ({ step }) =>
      step.run("push-due", async () => {
        const { db, clock, stripe } = await context();
        const result = await pushDueInvoices(db, stripe, {}, { clock });
        return bigintSafe({ pushed: result.pushed.length, failed: result.failed, nextAfterId: result.nextAfterId });
      }),
  );
}

/** `billing/invoice.push` { invoiceId }: one invoice now (finance's retry, or any caller after a close). */
export function createBillingPushInvoiceFunction(context: StripeFunctionContext = defaultStripeContext) {
  return inngest.createFunction(
    { id: "billing-push-invoice", name: "Push one invoice to Stripe", retries: 5, concurrency: { limit: 1, key: "event.data.invoiceId" }, triggers: [{ event: pushInvoiceEvent }] },
    async ({ event, step }) => {
      const invoiceId = String((event.data as { invoiceId?: unknown }).invoiceId ?? "");
      const pushed = await step.run("push-invoice", async () => {
        const { db, clock, stripe } = await context();
        return bigintSafe(await pushInvoiceToStripe(db, stripe, { invoiceId }, { clock }).catch(stopOnPermanentError));
      });
      const meterEvents = await step.run("meter-events", async () => {
        const { db, clock, stripe } = await context();
        return sendMeterEvents(db, stripe, { invoiceId }, { clock }).catch(stopOnPermanentError);
      });
      return { pushed, meterEvents };
    },
  );
}

export const billingPushDue = createBillingPushDueFunction();
export const billingPushInvoice = createBillingPushInvoiceFunction();
