import { z } from "zod";
import { getClosedThrough, listAccountingPeriods } from "@/server/reports/periods/list-accounting-periods";
import { authorizedProcedure } from "../../trpc";

export const periodList = authorizedProcedure("reports.read")
  .input(z.object({}).optional())
  .query(async ({ ctx }) => ({ periods: await listAccountingPeriods(ctx.db), closedThrough: await getClosedThrough(ctx.db) }));
