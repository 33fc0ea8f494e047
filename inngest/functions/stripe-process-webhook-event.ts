import { processWebhookEvents } from "@/server/stripe/process-webhook-events";
import { inngest } from "../client";
import { defaultStripeContext, type StripeFunctionContext } from "./stripe-context";

export const stripeWebhookReceivedEvent = "stripe/webhook.received";

/**
 * Processes the one inbox event the webhook route announced. Best effort: the inbox worker and
 * `npm run job -- stripe:process-events` drain the same table, and the claim (SKIP LOCKED) keeps
 * them from processing an event twice at once; processing is idempotent anyway.
 */
export function createStripeProcessWebhookEventFunction(context: StripeFunctionContext = defaultStripeContext) {
  return inngest.createFunction(
    { id: "stripe-process-webhook-event", name: "Process a Stripe webhook event", retries: 3, triggers: [{ event: stripeWebhookReceivedEvent }] },
    async ({ event, step }) => {
      const eventId = String((event.data as { eventId?: unknown }).eventId ?? "");
      return step.run("process-event", async () => {
        const { db, clock, stripe } = await context();
        return processWebhookEvents(db, { stripe, clock, eventIds: [eventId], limit: 1 });
      });
    },
  );
}

export const stripeProcessWebhookEvent = createStripeProcessWebhookEventFunction();

/**
 * Tells Inngest an event is waiting, without making the webhook wait or fail: only when an
 * Inngest server is configured, never awaited, errors swallowed (the worker picks the event up).
 */
export function notifyStripeWebhookReceived(eventId: string): void {
  if (!process.env.INNGEST_EVENT_KEY && !process.env.INNGEST_DEV) return;
  inngest.send({ id: `stripe-webhook-${eventId}`, name: stripeWebhookReceivedEvent, data: { eventId } }).catch((error: unknown) => {
    console.warn(`[stripe] could not notify Inngest of ${eventId}; the inbox worker will process it`, error instanceof Error ? error.message : error);
  });
}
