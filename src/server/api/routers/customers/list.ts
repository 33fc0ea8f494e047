import { z } from "zod";
import { customerKinds } from "@/db/schema";
import { listCustomers } from "@/server/customers/list-customers";
import { authorizedProcedure } from "../../trpc";

export const listCustomersInput = z.object({
  search: z.string().trim().max(200).optional(),
  kind: z.enum(customerKinds).optional(),
  cursor: z.string().max(500).optional(),
  limit: z.number().int().min(1).max(100).default(25),
});

export const list = authorizedProcedure("customers.read")
  .input(listCustomersInput)
  .query(({ ctx, input }) => listCustomers(ctx.db, input));
