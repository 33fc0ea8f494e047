import { z } from "zod";
import { createSubscription } from "@/server/customers/create-subscription";
import { authorizedProcedure } from "../../trpc";

export const create = authorizedProcedure("billing.change")
  .input(
    z.object({
      customerId: z.uuid(),
      planVersionId: z.uuid(),
      seats: z.number().int().min(1).max(100_000).default(1),
      trialDays: z.number().int().min(0).max(365).optional(),
    }),
  )
  .mutation(({ ctx, input }) => createSubscription(ctx.db, ctx.actor, ctx.clock, input));
