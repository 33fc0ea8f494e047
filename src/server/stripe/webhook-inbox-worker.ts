import type { Worker } from "@/server/workers/types";
import { processWebhookEvents } from "./process-webhook-events";
import { getStripeRuntime } from "./stripe-runtime";

/** Registered in src/server/workers/registry.ts: drains the webhook inbox in every server process. */
export const stripeWebhookInboxWorker: Worker = {
  name: "stripe:webhook-inbox",
  idleMs: 1000,
  runOnce: async ({ db, clock }) => {
    const { stripe } = await getStripeRuntime();
    const result = await processWebhookEvents(db, { stripe, clock, limit: 25 });
    return result.claimed;
  },
};
