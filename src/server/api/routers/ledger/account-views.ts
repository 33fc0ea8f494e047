import { z } from "zod";
import { listAccountStatementView } from "@/server/ledger/list-account-statement-view";
import { listLedgerAccountsView, listLedgerCurrencies } from "@/server/ledger/list-accounts-view";
import { ledgerAccountsView, ledgerStatementView } from "../../lists/ledger-lists";
import { authorizedProcedure } from "../../trpc";

/** The console's ledger accounts view (the export reads the same view). */
export const accountListView = authorizedProcedure("ledger.read")
  .input(ledgerAccountsView.extend({ limit: z.number().int().min(1).max(200).default(50) }))
  .query(({ ctx, input }) => listLedgerAccountsView(ctx.db, { ...input, code: input.search }));

export const accountCurrencies = authorizedProcedure("ledger.read").query(({ ctx }) => listLedgerCurrencies(ctx.db));

/** The console's statement view of one account. */
export const accountStatementView = authorizedProcedure("ledger.read")
  .input(ledgerStatementView.extend({ limit: z.number().int().min(1).max(200).default(50) }))
  .query(({ ctx, input }) => listAccountStatementView(ctx.db, { ...input, accountId: input.account }));
