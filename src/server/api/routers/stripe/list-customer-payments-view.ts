import { z } from "zod";
import { customerPaymentsView, listCustomerPaymentsForView } from "../../lists/payment-lists";
import { authorizedProcedure } from "../../trpc";

/** One customer's charges, paged, sorted and filtered (the export reads the same view). */
export const listCustomerPaymentsViewProcedure = authorizedProcedure("stripe.read")
  .input(customerPaymentsView.extend({ limit: z.number().int().min(1).max(200).default(50) }))
  .query(({ ctx, input }) => listCustomerPaymentsForView(ctx.db, input));
