import { z } from "zod";
import { ledgerAccountKinds } from "@/db/schema";
import { listAccounts } from "@/server/ledger/list-accounts";
import { authorizedProcedure } from "../../trpc";

export const accountList = authorizedProcedure("ledger.read")
  .input(
    z.object({
      kind: z.enum(ledgerAccountKinds).optional(),
      currency: z.string().regex(/^[a-zA-Z]{3}$/).optional(),
      customerId: z.uuid().optional(),
      codePrefix: z.string().max(200).optional(),
      cursor: z.string().max(300).optional(),
      limit: z.number().int().min(1).max(500).default(50),
    }),
  )
  .query(({ ctx, input }) => listAccounts(ctx.db, input));
