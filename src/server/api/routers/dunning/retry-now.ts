import { z } from "zod";
import { retryPaymentNow } from "@/server/dunning/support-actions";
import { getStripeRuntime } from "@/server/stripe/stripe-runtime";
import { authorizedProcedure } from "../../trpc";

export const retryNow = authorizedProcedure("dunning.manage")
  .input(z.object({ caseId: z.uuid(), reason: z.string().trim().min(3, "Say why (at least 3 characters).").max(500) }))
  .mutation(async ({ ctx, input }) => retryPaymentNow(ctx.db, (await getStripeRuntime()).stripe, ctx.actor, ctx.clock, input));
