import { z } from "zod";
import { getInvoiceStripeCheck } from "@/server/billing-sync/get-invoice-stripe-check";
import { authorizedProcedure } from "../../trpc";

/** The invoice's Stripe counterpart and how it compared (billing sync). */
export const stripeCheck = authorizedProcedure("billing.read")
  .input(z.object({ id: z.uuid() }))
  .query(({ ctx, input }) => getInvoiceStripeCheck(ctx.db, { invoiceId: input.id }));
