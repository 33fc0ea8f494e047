import Stripe from "stripe";
import type { Db } from "@/db/client";
import { stripeWebhookEvents } from "@/db/schema";
import { DomainError } from "@/server/errors";

export const webhookLimits = {
  bodyBytesMax: 1_000_000,
  /** Stripe's default: a signature older than five minutes is refused (replay protection). */
  toleranceSeconds: 300,
} as const;

export type ReceiveStripeWebhookInput = {
  rawBody: string;
  signature: string | null;
  secret: string | null;
  /** When the request arrived, for the signature's age. */
  receivedAt: Date;
};
export type ReceiveStripeWebhookResult = { status: "stored" | "duplicate"; eventId: string; type: string };

/**
 * Verifies the signature on the raw body and stores the event in the inbox by its id, durably,
 * before the caller answers 2xx. A duplicate delivery is acknowledged and ignored. A bad or old
 * signature is refused (400) and nothing is stored. Processing happens later (worker, job, Inngest).
 */
export async function receiveStripeWebhook(db: Db, input: ReceiveStripeWebhookInput): Promise<ReceiveStripeWebhookResult> {
  if (input.secret === null) {
    throw new DomainError("unavailable", "stripe_webhook_secret_missing", "STRIPE_WEBHOOK_SECRET is not set; this server cannot verify Stripe webhooks.");
  }
  if (!input.signature) throw new DomainError("invalid", "stripe_signature_missing", "The Stripe-Signature header is missing.");
  const event = verify(input);
  const object = event.data.object as { id?: string; object?: string; customer?: string | { id: string } | null };
  const stripeCustomerId = object.object === "customer" ? (object.id ?? null) : typeof object.customer === "string" ? object.customer : (object.customer?.id ?? null);
  const inserted = await db
    .insert(stripeWebhookEvents)
    .values({
      id: event.id,
      type: event.type,
      created: new Date(event.created * 1000),
      payload: event as unknown as Record<string, unknown>,
      livemode: event.livemode,
      stripeCustomerId,
      receivedAt: input.receivedAt,
      nextAttemptAt: input.receivedAt,
    })
    .onConflictDoNothing({ target: stripeWebhookEvents.id })
    .returning({ id: stripeWebhookEvents.id });
  return { status: inserted.length > 0 ? "stored" : "duplicate", eventId: event.id, type: event.type };
}

function verify(input: ReceiveStripeWebhookInput): Stripe.Event {
  try {
    return Stripe.webhooks.constructEvent(input.rawBody, input.signature ?? "", input.secret ?? "", webhookLimits.toleranceSeconds, undefined, input.receivedAt.getTime());
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (message.includes("tolerance")) {
      throw new DomainError("invalid", "stripe_signature_too_old", "The Stripe-Signature timestamp is older than five minutes; Stripe will retry with a fresh one.");
    }
    if (error instanceof Stripe.errors.StripeSignatureVerificationError) {
      throw new DomainError("invalid", "stripe_signature_invalid", "The Stripe-Signature does not match this body and the configured webhook secret.");
    }
    throw new DomainError("invalid", "stripe_event_invalid", `The webhook body is not a Stripe event: ${message.slice(0, 200)}`);
  }
}
