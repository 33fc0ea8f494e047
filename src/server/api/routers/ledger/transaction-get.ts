import { z } from "zod";
import { getTransaction } from "@/server/ledger/get-transaction";
import { authorizedProcedure } from "../../trpc";

export const transactionGet = authorizedProcedure("ledger.read")
  .input(z.object({ transactionId: z.uuid() }))
  .query(({ ctx, input }) => getTransaction(ctx.db, input.transactionId));
