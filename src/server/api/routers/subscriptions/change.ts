import { z } from "zod";
import { changeSubscription } from "@/server/customers/change-subscription";
import { getStripeRuntime } from "@/server/stripe/stripe-runtime";
import { authorizedProcedure } from "../../trpc";

const reason = z.string().trim().min(3, "Say why (at least 3 characters).").max(500);

export const change = authorizedProcedure("billing.change")
  .input(
    z.discriminatedUnion("action", [
      z.object({
        action: z.literal("change"),
        customerId: z.uuid(),
        planVersionId: z.uuid().optional(),
        seats: z.number().int().min(1).max(100_000).optional(),
        timing: z.enum(["now", "period_end"]).optional(),
        reason,
      }),
      z.object({ action: z.literal("cancel"), customerId: z.uuid(), at: z.enum(["now", "period_end"]), reason }),
      z.object({ action: z.literal("resume"), customerId: z.uuid(), reason }),
    ]),
  )
  .mutation(async ({ ctx, input }) => changeSubscription(ctx.db, (await getStripeRuntime()).stripe, ctx.actor, ctx.clock, input));
