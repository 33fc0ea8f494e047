import { listInvoices, listInvoicesInput } from "@/server/invoicing/list-invoices";
import { authorizedProcedure } from "../../trpc";

export const list = authorizedProcedure("billing.read")
  .input(listInvoicesInput)
  .query(({ ctx, input }) => listInvoices(ctx.db, input));
