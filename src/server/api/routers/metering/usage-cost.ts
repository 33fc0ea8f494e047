import { z } from "zod";
import { getUsageCost } from "@/server/metering/get-usage-cost";
import { authorizedProcedure } from "../../trpc";

/** The usage chart's cost view: one customer's usage of one meter valued per day at their plan's prices (see getUsageCost). */
export const usageCost = authorizedProcedure("billing.read")
  .input(z.object({ customerId: z.uuid(), meterKey: z.string().trim().min(1).max(64), from: z.coerce.date(), to: z.coerce.date() }))
  .query(({ ctx, input }) => getUsageCost(ctx.db, input));
