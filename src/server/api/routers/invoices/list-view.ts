import { z } from "zod";
import { invoicesView, listInvoicesForView } from "../../lists/registry";
import { authorizedProcedure } from "../../trpc";

/** The console's invoice list: any sort, status/kind/customer/number filters, keyset-paged (the export reads the same view). */
export const listView = authorizedProcedure("billing.read")
  .input(invoicesView.extend({ limit: z.number().int().min(1).max(100).default(50) }))
  .query(({ ctx, input }) => listInvoicesForView(ctx.db, input));
