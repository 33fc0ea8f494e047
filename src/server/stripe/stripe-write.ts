import Stripe from "stripe";
import type { Db } from "@/db/client";
import { stripeSyncFailures } from "@/db/schema";
import { DomainError } from "@/server/errors";

export type StripeWriteTarget = {
  /** `customer.create`, `subscription.update`, ... */
  operation: string;
  objectType: "customer" | "plan" | "plan_version" | "subscription";
  /** The Tally id the write is for. */
  objectId: string;
  idempotencyKey: string;
};

/** Error code of the DomainError thrown for a write Stripe refused for good. */
export const stripePermanentErrorCode = "stripe_permanent_error";

/**
 * Stripe answers that retrying cannot fix: 4xx except 409 (a concurrent request with the same
 * idempotency key: retry) and 429 (rate limited: retry). 5xx, timeouts and connection errors are
 * transient.
 */
export function isPermanentStripeError(error: unknown): error is Stripe.errors.StripeError {
  if (!(error instanceof Stripe.errors.StripeError)) return false;
  const status = error.statusCode;
  return status !== undefined && status >= 400 && status < 500 && status !== 409 && status !== 429;
}

/**
 * Runs one Stripe write with its idempotency key. A permanent refusal is recorded in
 * `stripe_sync_failures` (visible on /admin/webhooks) and thrown as a DomainError that callers
 * and Inngest treat as final; anything else is rethrown for the caller's retry with backoff.
 */
export async function stripeWrite<T>(db: Db, target: StripeWriteTarget, write: (options: Stripe.RequestOptions) => Promise<T>): Promise<T> {
  try {
    return await write({ idempotencyKey: target.idempotencyKey });
  } catch (error) {
    if (!isPermanentStripeError(error)) throw error;
    const [failure] = await db
      .insert(stripeSyncFailures)
      .values({
        operation: target.operation,
        objectType: target.objectType,
        objectId: target.objectId,
        idempotencyKey: target.idempotencyKey,
        httpStatus: error.statusCode ?? null,
        errorType: error.type,
        errorCode: error.code ?? null,
        message: error.message.slice(0, 2000),
        requestId: error.requestId ?? null,
      })
      .returning({ id: stripeSyncFailures.id });
    throw new DomainError("precondition", stripePermanentErrorCode, `Stripe refused ${target.operation} for ${target.objectType} ${target.objectId}: ${error.message}`, {
      failureId: failure?.id,
      httpStatus: error.statusCode,
      stripeCode: error.code,
    });
  }
}
