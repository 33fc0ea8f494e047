import { z } from "zod";
import { previewSubscriptionChange } from "@/server/customers/preview-subscription-change";
import { getStripeRuntime } from "@/server/stripe/stripe-runtime";
import { authorizedProcedure } from "../../trpc";

export const previewChange = authorizedProcedure("billing.change")
  .input(
    z.object({
      customerId: z.uuid(),
      planVersionId: z.uuid().optional(),
      seats: z.number().int().min(1).max(100_000).optional(),
      timing: z.enum(["now", "period_end"]).optional(),
    }),
  )
  .query(async ({ ctx, input }) => previewSubscriptionChange(ctx.db, (await getStripeRuntime()).stripe, ctx.clock, input));
