import { z } from "zod";
import { listSubscriptions } from "@/server/customers/get-subscription";
import { authorizedProcedure } from "../../trpc";

export const list = authorizedProcedure("billing.read")
  .input(z.object({ customerId: z.uuid() }))
  .query(({ ctx, input }) => listSubscriptions(ctx.db, input.customerId));
