import type Stripe from "stripe";
import type { Db } from "@/db/client";
import type { Clock } from "@/server/clock";
import { syncSubscription } from "@/server/stripe/sync-subscription";

export type StripeSyncOutcome = "synced" | "failed" | "skipped";

/**
 * Brings Stripe to Tally's state for one subscription (creating the Stripe customer first when
 * needed). Tally's change is already committed: a Stripe failure is logged and recorded by
 * stripeWrite (Admin → Stripe webhooks, sync failures; rerun with `npm run job --
 * stripe:sync-subscription --subscription <id>`), never undone.
 */
export async function syncSubscriptionToStripe(db: Db, stripe: Stripe | null, clock: Clock, subscriptionId: string): Promise<StripeSyncOutcome> {
  if (stripe === null) return "skipped";
  try {
    await syncSubscription(db, stripe, clock, { subscriptionId });
    return "synced";
  } catch (error) {
    console.error(`Stripe sync of subscription ${subscriptionId} failed; Tally's state stands`, error instanceof Error ? error.message : error);
    return "failed";
  }
}
