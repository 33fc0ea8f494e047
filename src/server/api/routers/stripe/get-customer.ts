import { z } from "zod";
import { getCustomerStripeView } from "@/server/stripe/get-customer-stripe-view";
import { getStripeRuntime } from "@/server/stripe/stripe-runtime";
import { authorizedProcedure } from "../../trpc";

/** The customer page's Stripe section: mirror data only (no call to Stripe on page load). */
export const getCustomer = authorizedProcedure("stripe.read")
  .input(z.object({ customerId: z.uuid() }))
  .query(async ({ ctx, input }) => getCustomerStripeView(ctx.db, input.customerId, (await getStripeRuntime()).mode));
