import { z } from "zod";
import { getCustomer } from "@/server/customers/get-customer";
import { authorizedProcedure } from "../../trpc";

export const get = authorizedProcedure("customers.read")
  .input(z.object({ id: z.string().trim().min(1).max(200) }))
  .query(({ ctx, input }) => getCustomer(ctx.db, input.id));
