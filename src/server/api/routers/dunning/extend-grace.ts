import { z } from "zod";
import { extendGracePeriod } from "@/server/dunning/support-actions";
import { gracePeriodDaysMax } from "@/server/dunning/policy";
import { authorizedProcedure } from "../../trpc";

export const extendGrace = authorizedProcedure("dunning.manage")
  .input(z.object({ caseId: z.uuid(), days: z.number().int().min(1).max(gracePeriodDaysMax), reason: z.string().trim().min(3, "Say why (at least 3 characters).").max(500) }))
  .mutation(({ ctx, input }) => extendGracePeriod(ctx.db, ctx.actor, ctx.clock, input));
