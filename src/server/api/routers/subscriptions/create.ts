import { z } from "zod";
import { getStripeRuntime } from "@/server/stripe/stripe-runtime";
import { startSubscription } from "@/server/workflows/start-subscription";
import { authorizedProcedure } from "../../trpc";

/** The console's "Start subscription": the same workflow as the API's (promotion code in the same transaction, then Stripe). */
export const create = authorizedProcedure("billing.change")
  .input(
    z.object({
      customerId: z.uuid(),
      planVersionId: z.uuid(),
      seats: z.number().int().min(1).max(100_000).default(1),
      trialDays: z.number().int().min(0).max(365).optional(),
      promotionCode: z.string().trim().min(1).max(100).optional(),
      reason: z.string().trim().min(3, "Say why (at least 3 characters).").max(500),
    }),
  )
  .mutation(async ({ ctx, input }) => {
    const result = await startSubscription(ctx.db, (await getStripeRuntime()).stripe, ctx.actor, ctx.clock, input);
    return { subscriptionId: result.subscription.id, status: result.subscription.status, stripe: result.stripe };
  });
