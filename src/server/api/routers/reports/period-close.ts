import { z } from "zod";
import { closeAccountingPeriod } from "@/server/reports/periods/close-accounting-period";
import { authorizedProcedure } from "../../trpc";

export const monthKey = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, "Give the month as YYYY-MM, e.g. 2026-03.");

/** Closes a month (trial balance balanced, checks passed); from then on the database refuses postings dated in it. */
export const periodClose = authorizedProcedure("periods.close")
  .input(z.object({ month: monthKey }))
  .mutation(({ ctx, input }) => closeAccountingPeriod(ctx.db, { month: input.month, actor: ctx.actor }, { clock: ctx.clock }));
