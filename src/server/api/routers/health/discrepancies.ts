import { listDiscrepancies, listDiscrepanciesInput } from "@/server/reconciliation/list-discrepancies";
import { authorizedProcedure } from "../../trpc";

/** Reconciliation discrepancies, a page at a time (open by default). */
export const discrepancies = authorizedProcedure("insights.read")
  .input(listDiscrepanciesInput)
  .query(({ ctx, input }) => listDiscrepancies(ctx.db, input));
