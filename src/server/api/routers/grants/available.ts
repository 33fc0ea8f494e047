import { z } from "zod";
import { readCustomerCreditAvailable } from "@/server/grants/list-customer-grants";
import { authorizedProcedure } from "../../trpc";

/** A customer's spendable credit per currency, over every grant in effect (the customer page's "available"). */
export const available = authorizedProcedure("grants.read")
  .input(z.object({ customerId: z.uuid() }))
  .query(({ ctx, input }) => readCustomerCreditAvailable(ctx.db, input.customerId, ctx.clock.now()));
