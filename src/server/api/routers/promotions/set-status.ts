import { z } from "zod";
import { setPromotionStatus } from "@/server/promotions/set-promotion-status";
import { authorizedProcedure } from "../../trpc";

/** Activate, pause, resume or end. */
export const setStatus = authorizedProcedure("promotions.write")
  .input(z.object({ promotionId: z.uuid(), status: z.enum(["active", "paused", "ended"]), reason: z.string().trim().max(500).optional() }))
  .mutation(({ ctx, input }) => setPromotionStatus(ctx.db, ctx.actor, ctx.clock, input));
