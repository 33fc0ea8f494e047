import { z } from "zod";
import { getCustomerLedgerSummary } from "@/server/ledger/get-customer-ledger-summary";
import { authorizedProcedure } from "../../trpc";

export const customerSummaryGet = authorizedProcedure("ledger.read")
  .input(z.object({ customerId: z.uuid() }))
  .query(({ ctx, input }) => getCustomerLedgerSummary(ctx.db, input.customerId));
