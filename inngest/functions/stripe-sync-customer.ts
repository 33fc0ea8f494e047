import { syncCustomer } from "@/server/stripe/sync-customer";
import { inngest } from "../client";
import { defaultStripeContext, stopOnPermanentError, type StripeFunctionContext } from "./stripe-context";

/** `stripe/customer.sync` { customerId }: push one customer to Stripe. */
export function createStripeSyncCustomerFunction(context: StripeFunctionContext = defaultStripeContext) {
  return inngest.createFunction(
    { id: "stripe-sync-customer", name: "Sync a customer to Stripe", retries: 5, concurrency: { limit: 1, key: "event.data.customerId" }, triggers: [{ event: "stripe/customer.sync" }] },
    async ({ event, step }) => {
      const customerId = String((event.data as { customerId?: unknown }).customerId ?? "");
      return step.run("sync-customer", async () => {
        const { db, clock, stripe } = await context();
        return syncCustomer(db, stripe, clock, { customerId }).catch(stopOnPermanentError);
      });
    },
  );
}

export const stripeSyncCustomer = createStripeSyncCustomerFunction();
