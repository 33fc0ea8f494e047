import { z } from "zod";
import { getCustomer } from "@/server/customers/get-customer";
import { getCustomerUsage, usageWindows } from "@/server/metering/get-customer-usage";
import { authorizedProcedure } from "../../trpc";

/**
 * One customer's usage of one meter (by Tally id or external id) from the hourly rollups.
 * Bounded by getCustomerUsage: whole-hour range, at most 31/400/1,830 days per hour/day/month
 * window, at most 5 group-by dimensions and 10,000 rows.
 */
export const usage = authorizedProcedure("metering.read")
  .input(
    z
      .object({
        customerId: z.uuid().optional(),
        externalId: z.string().trim().min(1).max(256).optional(),
        meterKey: z.string().trim().min(1).max(64),
        from: z.coerce.date(),
        to: z.coerce.date(),
        window: z.enum(usageWindows).default("day"),
        groupBy: z.array(z.string().trim().min(1).max(200)).max(5).default([]),
      })
      .refine((input) => (input.customerId === undefined) !== (input.externalId === undefined), {
        message: "Give either customerId or externalId.",
        path: ["customerId"],
      }),
  )
  .query(async ({ ctx, input }) => {
    const { customerId, externalId, ...query } = input;
    const subject = externalId ?? (await getCustomer(ctx.db, customerId!)).externalId;
    return getCustomerUsage(ctx.db, { externalId: subject, ...query });
  });
