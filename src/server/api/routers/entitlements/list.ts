import { z } from "zod";
import { listEntitlements } from "@/server/entitlements/list-entitlements";
import { authorizedProcedure } from "../../trpc";

/** Every feature of the customer with limit, usage, remaining, reset and the reason it is blocked. */
export const list = authorizedProcedure("customers.read")
  .input(z.object({ customerId: z.uuid() }))
  .query(({ ctx, input }) => listEntitlements(ctx.db, { customerId: input.customerId }, { clock: ctx.clock }));
