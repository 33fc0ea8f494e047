import { z } from "zod";
import { getInvoice } from "@/server/invoicing/get-invoice";
import { authorizedProcedure } from "../../trpc";

export const get = authorizedProcedure("billing.read")
  .input(z.object({ id: z.uuid() }))
  .query(({ ctx, input }) => getInvoice(ctx.db, input));
