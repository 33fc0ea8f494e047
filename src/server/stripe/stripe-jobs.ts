import type { JobArgs, JobDefinition } from "@/server/jobs/types";
import { DomainError } from "@/server/errors";
import { backfillStripe } from "./backfill-stripe";
import { processWebhookEvents } from "./process-webhook-events";
import { getStripeRuntime } from "./stripe-runtime";
import { syncCustomer } from "./sync-customer";
import { syncCatalog, syncPlanVersion } from "./sync-plan-version";
import { syncSubscription } from "./sync-subscription";

function requiredArg(args: JobArgs, name: string): string {
  const value = args[name];
  if (typeof value !== "string" || value === "") throw new DomainError("invalid", "job_argument_missing", `Pass --${name} <id>.`);
  return value;
}

/** Rounds of the inbox per job run: 100 events each, so one run handles at most 10,000. */
const processRoundsMax = 100;

export const stripeJobs: JobDefinition[] = [
  {
    name: "stripe:sync-customer",
    description: "Create or update one customer in Stripe (--customer <id>)",
    run: async ({ db, clock }, args) => {
      const { stripe } = await getStripeRuntime();
      return { ...(await syncCustomer(db, stripe, clock, { customerId: requiredArg(args, "customer") })) };
    },
  },
  {
    name: "stripe:sync-subscription",
    description: "Create, update or cancel one subscription in Stripe (--subscription <id>)",
    run: async ({ db, clock }, args) => {
      const { stripe } = await getStripeRuntime();
      return { ...(await syncSubscription(db, stripe, clock, { subscriptionId: requiredArg(args, "subscription") })) };
    },
  },
  {
    name: "stripe:sync-catalog",
    description: "Create Stripe products and per-seat prices for published plan versions (--plan-version <id> for one)",
    run: async ({ db }, args) => {
      const { stripe } = await getStripeRuntime();
      if (typeof args["plan-version"] === "string") return { ...(await syncPlanVersion(db, stripe, { planVersionId: args["plan-version"] })) };
      return { ...(await syncCatalog(db, stripe)) };
    },
  },
  {
    name: "stripe:process-events",
    description: "Process due Stripe webhook events from the inbox",
    run: async ({ db, clock, log }) => {
      const { stripe } = await getStripeRuntime();
      const totals = { processed: 0, failed: 0, parked: 0 };
      for (let round = 0; round < processRoundsMax; round++) {
        const result = await processWebhookEvents(db, { stripe, clock, limit: 100 });
        totals.processed += result.processed;
        totals.failed += result.failed;
        totals.parked += result.parked;
        for (const event of result.events) if (event.error) log(`${event.eventId} ${event.type} ${event.status}: ${event.error}`);
        if (result.claimed === 0) break;
      }
      log(`${totals.processed} processed, ${totals.failed} failed, ${totals.parked} parked`);
      return totals;
    },
  },
  {
    name: "stripe:backfill",
    description: "Pull existing Stripe customers, subscriptions and invoices into the mirror (resumable; --restart to start over)",
    run: async ({ db, clock, log }, args) => {
      const { stripe } = await getStripeRuntime();
      return { ...(await backfillStripe(db, stripe, clock, { log, restart: args.restart === true })) };
    },
  },
];
