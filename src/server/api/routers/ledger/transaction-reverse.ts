import { z } from "zod";
import { reverseTransaction } from "@/server/ledger/reverse-transaction";
import { authorizedProcedure } from "../../trpc";

/** Posts the mirror image, once; a second call returns the first reversal. Audited with the reason. */
export const transactionReverse = authorizedProcedure("ledger.write")
  .input(
    z.object({
      transactionId: z.uuid(),
      reason: z.string().trim().min(3, "Say why (at least 3 characters).").max(500),
    }),
  )
  .mutation(({ ctx, input }) =>
    reverseTransaction(ctx.db, { transactionId: input.transactionId, reason: input.reason, actor: ctx.actor }, { clock: ctx.clock }),
  );
