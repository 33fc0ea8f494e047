import { z } from "zod";
import { reopenAccountingPeriod } from "@/server/reports/periods/reopen-accounting-period";
import { authorizedProcedure } from "../../trpc";
import { monthKey } from "./period-close";

/** Reopens the latest closed month: admin only, with a reason, audited. */
export const periodReopen = authorizedProcedure("periods.reopen")
  .input(z.object({ month: monthKey, reason: z.string().trim().min(3, "Say why (at least 3 characters).").max(500) }))
  .mutation(({ ctx, input }) => reopenAccountingPeriod(ctx.db, { month: input.month, reason: input.reason, actor: ctx.actor }, { clock: ctx.clock }));
