import { listWebhookEvents, listWebhookEventsInput } from "@/server/stripe/list-webhook-events";
import { authorizedProcedure } from "../../trpc";

export const listEvents = authorizedProcedure("stripe.admin")
  .input(listWebhookEventsInput)
  .query(({ ctx, input }) => listWebhookEvents(ctx.db, input));
