import { z } from "zod";
import { setSpendLimit, spendWarningThresholdsMax } from "@/server/customers/set-spend-limit";
import { authorizedProcedure } from "../../trpc";

/** Money crosses JSON as a string of micro-units; null removes the limit. */
export const setSpendLimitProcedure = authorizedProcedure("customers.write")
  .input(
    z.object({
      customerId: z.uuid(),
      spendLimitMicros: z.string().regex(/^\d{1,15}$/, "Give the limit in micro-units, a whole number.").nullable(),
      warningThresholdsPercent: z
        .array(z.number().int().min(1, "A warning threshold is at least 1%.").max(1000, "A warning threshold is at most 1000%."))
        .max(spendWarningThresholdsMax, `At most ${spendWarningThresholdsMax} warning thresholds.`)
        .optional(),
      reason: z.string().trim().min(3, "Say why (at least 3 characters).").max(500),
    }),
  )
  .mutation(({ ctx, input }) =>
    setSpendLimit(ctx.db, ctx.actor, ctx.clock, {
      customerId: input.customerId,
      spendLimitMicros: input.spendLimitMicros === null ? null : BigInt(input.spendLimitMicros),
      ...(input.warningThresholdsPercent ? { warningThresholdsPercent: input.warningThresholdsPercent } : {}),
      reason: input.reason,
    }),
  );
