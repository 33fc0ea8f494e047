import type Stripe from "stripe";
import { getDb, type Db } from "@/db/client";
import { systemClock, type Clock } from "@/server/clock";
import { isDomainError } from "@/server/errors";
import { stripePermanentErrorCode } from "@/server/stripe/stripe-write";
import { getStripeRuntime } from "@/server/stripe/stripe-runtime";
import { NonRetriableError } from "inngest";

export type StripeFunctionContext = () => Promise<{ db: Db; clock: Clock; stripe: Stripe }>;

/** The server's database, clock and Stripe client; tests pass their own. */
export const defaultStripeContext: StripeFunctionContext = async () => ({ db: await getDb(), clock: systemClock, stripe: (await getStripeRuntime()).stripe });

/**
 * Inngest retries a step with backoff on any error (429, 5xx, timeouts). A write Stripe refused
 * for good was recorded in stripe_sync_failures; retrying cannot fix it, so stop.
 */
export function stopOnPermanentError(error: unknown): never {
  if (isDomainError(error) && (error.code === stripePermanentErrorCode || error.kind === "not_found" || error.kind === "invalid")) {
    throw new NonRetriableError(`${error.code}: ${error.message}`, { cause: error });
  }
  throw error;
}
