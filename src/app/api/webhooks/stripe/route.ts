import { getDb } from "@/db/client";
import { handleRoute, jsonResponse } from "@/server/http/error-response";
import { readBodyText } from "@/server/http/read-body";
import { receiveStripeWebhook, webhookLimits } from "@/server/stripe/receive-webhook";
import { getStripeRuntime } from "@/server/stripe/stripe-runtime";
import { notifyStripeWebhookReceived } from "~/inngest/functions/stripe-process-webhook-event";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/**
 * Stripe's webhooks. The signature is verified on the raw body (bad or older than five minutes →
 * 400 with a code, nothing stored); the event is stored in the inbox by its id before the 200,
 * a duplicate is acknowledged and ignored. Processing is asynchronous: the inbox worker, the
 * `stripe:process-events` job, and (best effort) an Inngest event sent here.
 */
export async function POST(request: Request): Promise<Response> {
  return handleRoute(request, async () => {
    const receivedAt = new Date();
    const db = await getDb();
    const stripeRuntime = await getStripeRuntime();
    const rawBody = await readBodyText(request, { maxBytes: webhookLimits.bodyBytesMax });
    const result = await receiveStripeWebhook(db, {
      rawBody,
      signature: request.headers.get("stripe-signature"),
      secret: stripeRuntime.webhookSecret,
      receivedAt,
    });
    if (result.status === "stored") notifyStripeWebhookReceived(result.eventId);
    return jsonResponse({ received: true, id: result.eventId, status: result.status });
  });
}
