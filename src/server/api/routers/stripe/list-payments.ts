import { z } from "zod";
import { getInvoicePaymentState } from "@/server/stripe/get-invoice-payment-state";
import { listPayments, listPaymentsInput } from "@/server/stripe/list-payments";
import { authorizedProcedure } from "../../trpc";

/** Charges (each attempt to take money) with card, failure reason, refunds and the invoice paid; newest first, keyset-paged. */
export const listPaymentsProcedure = authorizedProcedure("stripe.read")
  .input(listPaymentsInput)
  .query(({ ctx, input }) => listPayments(ctx.db, input));

/** Paid / open / past due / uncollectible and the amount paid, with the linked Stripe invoice. */
export const invoicePaymentState = authorizedProcedure("billing.read")
  .input(z.object({ invoiceId: z.uuid() }))
  .query(({ ctx, input }) => getInvoicePaymentState(ctx.db, input));
