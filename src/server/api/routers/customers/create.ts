import { z } from "zod";
import { customerKinds } from "@/db/schema";
import { upsertCustomer } from "@/server/customers/upsert-customer";
import { authorizedProcedure } from "../../trpc";

/** Support and admin create a customer by hand (the product's API creates most); an existing external id is refused, not updated. */
export const create = authorizedProcedure("customers.write")
  .input(
    z.object({
      externalId: z.string().trim().min(1).max(256),
      name: z.string().trim().min(1).max(200),
      email: z.email().max(320),
      kind: z.enum(customerKinds),
      currency: z.string().regex(/^[a-z]{3}$/).default("usd"),
      reason: z.string().trim().min(3, "Say why (at least 3 characters).").max(500),
    }),
  )
  .mutation(async ({ ctx, input }) => {
    const result = await upsertCustomer(ctx.db, ctx.actor, ctx.clock, { ...input, ifExists: "refuse" });
    return result.customer;
  });
