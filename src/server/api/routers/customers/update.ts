import { z } from "zod";
import { updateCustomer } from "@/server/customers/update-customer";
import { authorizedProcedure } from "../../trpc";

export const update = authorizedProcedure("customers.write")
  .input(
    z.object({
      customerId: z.uuid(),
      name: z.string().trim().min(1).max(200).optional(),
      email: z.email().max(320).optional(),
      reason: z.string().trim().min(3, "Say why (at least 3 characters).").max(500),
    }),
  )
  .mutation(({ ctx, input }) => updateCustomer(ctx.db, ctx.actor, input));
