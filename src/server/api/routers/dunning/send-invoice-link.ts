import { z } from "zod";
import { sendInvoiceLink } from "@/server/dunning/support-actions";
import { authorizedProcedure } from "../../trpc";

export const sendInvoiceLinkProcedure = authorizedProcedure("dunning.manage")
  .input(z.object({ caseId: z.uuid(), reason: z.string().trim().min(3, "Say why (at least 3 characters).").max(500) }))
  .mutation(({ ctx, input }) => sendInvoiceLink(ctx.db, ctx.actor, ctx.clock, input));
