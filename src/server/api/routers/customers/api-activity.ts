import { z } from "zod";
import { listApiRequests } from "@/server/http/list-api-requests";
import { listApiRequestKeyOptions } from "@/server/http/list-api-requests-view";
import { listCustomerWebhookEvents } from "@/server/webhooks/list-customer-webhook-events";
import { customerApiRequestsView, listCustomerApiRequestsForView } from "../../lists/customer-lists";
import { authorizedProcedure } from "../../trpc";

/** The customer page's "API & webhooks": the product's latest API requests about the customer and the webhook events sent about them. */
export const apiActivity = authorizedProcedure("api.activity.read")
  .input(z.object({ customerId: z.uuid(), limit: z.number().int().min(1).max(100).default(20) }))
  .query(async ({ ctx, input }) => ({
    requests: await listApiRequests(ctx.db, { customerId: input.customerId, limit: input.limit }),
    webhooks: await listCustomerWebhookEvents(ctx.db, input.customerId, input.limit),
  }));

/** Every API request about the customer, paged, sorted and filtered (the export reads the same view). */
export const apiRequestsView = authorizedProcedure("api.activity.read")
  .input(customerApiRequestsView.extend({ limit: z.number().int().min(1).max(200).default(50) }))
  .query(({ ctx, input }) => listCustomerApiRequestsForView(ctx.db, input));

/** The keys the API activity's key filter offers. */
export const apiRequestKeys = authorizedProcedure("api.activity.read").query(({ ctx }) => listApiRequestKeyOptions(ctx.db));
