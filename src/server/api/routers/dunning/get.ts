import { z } from "zod";
import { getCustomerDunning } from "@/server/dunning/get-dunning";
import { authorizedProcedure } from "../../trpc";

export const get = authorizedProcedure("billing.read")
  .input(z.object({ customerId: z.uuid() }))
  .query(({ ctx, input }) => getCustomerDunning(ctx.db, input.customerId));
