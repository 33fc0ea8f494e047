import { replayWebhookEvent, replayWebhookEventInput } from "@/server/stripe/replay-webhook-event";
import { authorizedProcedure } from "../../trpc";

/** Puts a failed or parked webhook event back in the queue; audited with the admin's reason. */
export const replayEvent = authorizedProcedure("stripe.admin")
  .input(replayWebhookEventInput)
  .mutation(({ ctx, input }) => replayWebhookEvent(ctx.db, ctx.actor, ctx.clock, input));
