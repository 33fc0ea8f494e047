import { z } from "zod";
import { compareInvoices } from "@/server/invoicing/compare-invoices";
import { authorizedProcedure } from "../../trpc";

/** Two invoices of a customer, line by line, with the quantity and price effect of each change. */
export const compare = authorizedProcedure("billing.read")
  .input(z.object({ a: z.uuid(), b: z.uuid() }))
  .query(({ ctx, input }) => compareInvoices(ctx.db, input));
