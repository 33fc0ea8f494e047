import { z } from "zod";
import { redeemPromotionCode } from "@/server/promotions/redeem-promotion-code";
import { authorizedProcedure } from "../../trpc";

/** Support applies a code to a customer; refusals come back as a result with a code, not an error. */
export const redeem = authorizedProcedure("promotions.apply")
  .input(z.object({ customerId: z.uuid(), code: z.string().trim().min(1).max(100), requestId: z.uuid() }))
  .mutation(({ ctx, input }) =>
    redeemPromotionCode(ctx.db, { customerId: input.customerId, code: input.code, idempotencyKey: `console:${input.requestId}`, actor: ctx.actor, at: ctx.clock.now() }),
  );
