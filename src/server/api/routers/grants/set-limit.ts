import { z } from "zod";
import { roles } from "@/db/schema";
import { setCreditLimit } from "@/server/grants/credit-limits";
import { authorizedProcedure } from "../../trpc";

/** Money crosses JSON as a string of micro-units. */
export const setLimit = authorizedProcedure("grants.configure")
  .input(
    z.object({
      role: z.enum(roles),
      limitMicros: z.string().regex(/^\d{1,13}$/, "Give the limit in micro-units, a whole number."),
      reason: z.string().trim().min(3, "Say why (at least 3 characters).").max(500),
    }),
  )
  .mutation(({ ctx, input }) => setCreditLimit(ctx.db, ctx.actor, { role: input.role, limitMicros: BigInt(input.limitMicros), reason: input.reason }));
