import { z } from "zod";
import { listAccountStatement } from "@/server/ledger/list-account-statement";
import { authorizedProcedure } from "../../trpc";

export const accountStatement = authorizedProcedure("ledger.read")
  .input(
    z.object({
      accountId: z.uuid(),
      cursor: z.string().max(300).optional(),
      limit: z.number().int().min(1).max(500).default(50),
      from: z.date().optional(),
      to: z.date().optional(),
    }),
  )
  .query(({ ctx, input }) => listAccountStatement(ctx.db, input));
