import { z } from "zod";
import { getAccountBalance } from "@/server/ledger/get-account-balance";
import { authorizedProcedure } from "../../trpc";

/** The account's posted, pending and available balance, now or as of a past time. */
export const accountGet = authorizedProcedure("ledger.read")
  .input(z.object({ accountId: z.uuid(), asOf: z.date().optional() }))
  .query(({ ctx, input }) => getAccountBalance(ctx.db, input));
