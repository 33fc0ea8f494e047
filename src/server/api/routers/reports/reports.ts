import { z } from "zod";
import { nameAccounts } from "@/server/reports/account-names";
import { listDrillEntries } from "@/server/reports/list-drill-entries";
import { reportInputSchemas, runReport } from "@/server/reports/registry";
import { authorizedProcedure } from "../../trpc";

/** One query per report (for the console and for other tools); inputs are the export URLs' parameters. */
export const trialBalance = authorizedProcedure("reports.read").input(reportInputSchemas["trial-balance"]).query(({ ctx, input }) => runReport(ctx.db, "trial-balance", input));
export const revenue = authorizedProcedure("reports.read").input(reportInputSchemas.revenue).query(({ ctx, input }) => runReport(ctx.db, "revenue", input));
export const aging = authorizedProcedure("reports.read").input(reportInputSchemas.aging).query(({ ctx, input }) => runReport(ctx.db, "aging", input));
export const cash = authorizedProcedure("reports.read").input(reportInputSchemas.cash).query(({ ctx, input }) => runReport(ctx.db, "cash", input));
export const credits = authorizedProcedure("reports.read").input(reportInputSchemas.credits).query(({ ctx, input }) => runReport(ctx.db, "credits", input));
export const promotions = authorizedProcedure("reports.read").input(reportInputSchemas.promotions).query(({ ctx, input }) => runReport(ctx.db, "promotions", input));
export const adjustments = authorizedProcedure("reports.read").input(reportInputSchemas.adjustments).query(({ ctx, input }) => runReport(ctx.db, "adjustments", input));
export const statement = authorizedProcedure("reports.read").input(reportInputSchemas.statement).query(({ ctx, input }) => runReport(ctx.db, "statement", input));

export const drillSpecSchema = z.object({
  from: z.string().max(40),
  to: z.string().max(40),
  codeLike: z.string().max(200).optional(),
  accountId: z.uuid().optional(),
  kinds: z.array(z.string().max(40)).max(20).optional(),
  planKey: z.string().max(100).optional(),
  customerId: z.uuid().optional(),
  label: z.string().max(300).optional(),
});

/** The ledger postings behind a report's number, paged. */
export const drilldown = authorizedProcedure("reports.read")
  .input(z.object({ spec: drillSpecSchema, cursor: z.string().max(500).optional(), limit: z.number().int().min(1).max(500).default(100) }))
  .query(({ ctx, input }) => listDrillEntries(ctx.db, input.spec, { cursor: input.cursor, limit: input.limit }));

/** Human names of ledger accounts (customer name and external id, product, plan, grant category). */
export const accountNames = authorizedProcedure("reports.read")
  .input(z.object({ accounts: z.array(z.object({ accountId: z.uuid(), code: z.string().max(300), customerId: z.uuid().nullable() })).max(500) }))
  .query(async ({ ctx, input }) => Object.fromEntries(await nameAccounts(ctx.db, input.accounts)));
