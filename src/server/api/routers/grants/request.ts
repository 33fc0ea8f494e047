import { z } from "zod";
import { requestCredit } from "@/server/grants/request-credit";
import { authorizedProcedure } from "../../trpc";

/** Issue a goodwill credit (within the caller's limit) or ask for approval; the request id makes retries harmless. */
export const request = authorizedProcedure("grants.issue")
  .input(
    z.object({
      customerId: z.uuid(),
      amountMicros: z.string().regex(/^[1-9]\d{0,15}$/, "Give the amount in micro-units, a whole positive number."),
      reason: z.string().trim().min(3, "Say why (at least 3 characters).").max(500),
      expiresAt: z.date().nullable().default(null),
      requestId: z.uuid(),
    }),
  )
  .mutation(({ ctx, input }) => requestCredit(ctx.db, ctx.actor, ctx.user.role, ctx.clock, { ...input, amountMicros: BigInt(input.amountMicros) }));
