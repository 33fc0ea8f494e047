import { z } from "zod";
import { getLiveSubscription } from "@/server/customers/get-subscription";
import { authorizedProcedure } from "../../trpc";

export const get = authorizedProcedure("billing.read")
  .input(z.object({ customerId: z.uuid() }))
  .query(async ({ ctx, input }) => (await getLiveSubscription(ctx.db, input.customerId, ctx.clock.now())) ?? null);
