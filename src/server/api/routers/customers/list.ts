import { z } from "zod";
import { customersPageMax, listCustomers } from "@/server/customers/list-customers";
import { customersView } from "../../lists/registry";
import { authorizedProcedure } from "../../trpc";

export const listCustomersInput = customersView.extend({ limit: z.number().int().min(1).max(customersPageMax).default(25) });

export const list = authorizedProcedure("customers.read")
  .input(listCustomersInput)
  .query(({ ctx, input }) => listCustomers(ctx.db, input));
