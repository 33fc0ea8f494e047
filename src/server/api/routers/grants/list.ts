import { z } from "zod";
import { listCustomerGrants } from "@/server/grants/list-customer-grants";
import { authorizedProcedure } from "../../trpc";

/** A customer's grants with their remaining balance from the ledger. */
export const list = authorizedProcedure("grants.read")
  .input(z.object({ customerId: z.uuid() }))
  .query(({ ctx, input }) => listCustomerGrants(ctx.db, input.customerId, ctx.clock.now()));
