import { z } from "zod";
import { attachUnknownEvents } from "@/server/metering/attach-unknown-events";
import { authorizedProcedure } from "../../trpc";

/** Attaches a subject's unknown-customer events to the customer that now has that external id; audited. */
export const attachUnknown = authorizedProcedure("customers.write")
  .input(
    z.object({
      externalId: z.string().trim().min(1).max(256),
      reason: z.string().trim().min(3, "Say why (at least 3 characters).").max(500),
    }),
  )
  .mutation(({ ctx, input }) => attachUnknownEvents(ctx.db, { actor: ctx.actor, ...input }));
