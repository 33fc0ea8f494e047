import { z } from "zod";
import { getTrialBalance } from "@/server/ledger/get-trial-balance";
import { authorizedProcedure } from "../../trpc";

export const trialBalanceGet = authorizedProcedure("ledger.read")
  .input(z.object({ asOf: z.date() }))
  .query(({ ctx, input }) => getTrialBalance(ctx.db, input));
