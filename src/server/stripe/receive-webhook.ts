import Stripe from "stripe";
import type { Db } from "@/db/client";
import { stripeWebhookEvents } from "@/db/schema";
import { describeUnsafeText, findUnsafeText } from "@/lib/safe-text";
import { DomainError } from "@/server/errors";

export const webhookLimits = {
  bodyBytesMax: 1_000_000,
  /** Stripe's default: a signature older than five minutes is refused (replay protection). */
  toleranceSeconds: 300,
  /** Stripe's events nest a few levels (an invoice's lines' prices); far more is not an event of theirs. */
  depthMax: 64,
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
  checkEventShape(event);
  const object = event.data.object as { id?: unknown; object?: unknown; customer?: unknown };
  const customer = object.object === "customer" ? object.id : typeof object.customer === "object" && object.customer !== null ? (object.customer as { id?: unknown }).id : object.customer;
  const stripeCustomerId = typeof customer === "string" && customer.length > 0 && customer.length <= 255 ? customer : null;
  const inserted = await db
    .insert(stripeWebhookEvents)
    .values({
      id: event.id,
      type: event.type,
      created: new Date(event.created * 1000),
      payload: event as unknown as Record<string, unknown>,
      livemode: event.livemode ?? false,
      stripeCustomerId,
      receivedAt: input.receivedAt,
      nextAttemptAt: input.receivedAt,
    })
    .onConflictDoNothing({ target: stripeWebhookEvents.id })
    .returning({ id: stripeWebhookEvents.id });
  return { status: inserted.length > 0 ? "stored" : "duplicate", eventId: event.id, type: event.type };
}

/**
 * What the inbox stores and the worker reads, checked before the insert: a correctly signed body
 * that is still not a Stripe event (an id without `evt_`, no type, a `created` that is not a
 * time, text PostgreSQL cannot store, nesting past 64 levels) is refused with 400
 * `stripe_event_invalid` and nothing stored, instead of failing the insert with a 500.
 */
function checkEventShape(event: Stripe.Event): void {
  const refuse = (detail: string): never => {
    throw new DomainError("invalid", "stripe_event_invalid", `The webhook body is not a Stripe event: ${detail}`);
  };
  if (typeof event !== "object" || event === null || Array.isArray(event)) refuse("the body must be a JSON object.");
  const problem = findUnsafeText(event, { depthMax: webhookLimits.depthMax });
  if (problem) refuse(describeUnsafeText(problem, "event", webhookLimits.depthMax));
  const shape = event as unknown as Record<string, unknown>;
  if (typeof shape.id !== "string" || !/^evt_[A-Za-z0-9_]{1,250}$/.test(shape.id)) refuse("`id` must be an event id (evt_…).");
  if (typeof shape.type !== "string" || shape.type.length === 0 || shape.type.length > 255) refuse("`type` must be a non-empty string.");
  // Seconds since the epoch, up to the year 9999.
  if (typeof shape.created !== "number" || !Number.isSafeInteger(shape.created) || shape.created < 0 || shape.created > 253_402_300_799) refuse("`created` must be a Unix time in seconds.");
  if (shape.livemode !== undefined && typeof shape.livemode !== "boolean") refuse("`livemode` must be a boolean.");
  const data = shape.data as { object?: unknown } | null | undefined;
  if (typeof data !== "object" || data === null || typeof data.object !== "object" || data.object === null || Array.isArray(data.object)) refuse("`data.object` must be an object.");
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
