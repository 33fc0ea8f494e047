import { z } from "zod";
import { listWebhookEventsView, listWebhookEventTypes } from "@/server/stripe/list-webhook-events-view";
import { webhookEventsView } from "../../lists/webhook-lists";
import { authorizedProcedure } from "../../trpc";

/** The console's view of the Stripe events received (the export reads the same view). */
export const listEventsView = authorizedProcedure("stripe.admin")
  .input(webhookEventsView.extend({ limit: z.number().int().min(1).max(200).default(50) }))
  .query(({ ctx, input }) => listWebhookEventsView(ctx.db, { ...input, customerId: input.customer }));

export const eventTypes = authorizedProcedure("stripe.admin").query(({ ctx }) => listWebhookEventTypes(ctx.db));
