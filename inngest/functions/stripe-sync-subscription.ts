import { syncSubscription } from "@/server/stripe/sync-subscription";
import { inngest } from "../client";
import { defaultStripeContext, stopOnPermanentError, type StripeFunctionContext } from "./stripe-context";

/** `stripe/subscription.sync` { subscriptionId }: create, change seats, cancel or resume in Stripe. */
export function createStripeSyncSubscriptionFunction(context: StripeFunctionContext = defaultStripeContext) {
  return inngest.createFunction(
    {
      id: "stripe-sync-subscription",
      name: "Sync a subscription to Stripe",
      retries: 5,
      concurrency: { limit: 1, key: "event.data.subscriptionId" },
      triggers: [{ event: "stripe/subscription.sync" }],
    },
    async ({ event, step }) => {
      const subscriptionId = String((event.data as { subscriptionId?: unknown }).subscriptionId ?? "");
      return step.run("sync-subscription", async () => {
        const { db, clock, stripe } = await context();
        return syncSubscription(db, stripe, clock, { subscriptionId }).catch(stopOnPermanentError);
      });
    },
  );
}

export const stripeSyncSubscription = createStripeSyncSubscriptionFunction();
