import { z } from "zod";
import { ledgerAccountKinds, ledgerTransactionKinds } from "@/db/schema";
import { ledgerAccountBalanceFilters, ledgerAccountSortKeys, listLedgerAccountsView, type LedgerAccountRow } from "@/server/ledger/list-accounts-view";
import { listAccountStatementView, statementSides, statementSortKeys, type StatementViewLine } from "@/server/ledger/list-account-statement-view";
import type { ListExport } from "./export-list";

/** URL view of the ledger accounts: `q` is the start of the account code. */
export const ledgerAccountsView = z.object({
  search: z.string().trim().max(200).optional(),
  kind: z.enum(ledgerAccountKinds).optional(),
  currency: z.string().regex(/^[a-zA-Z]{3}$/, "a three-letter currency code").optional(),
  balance: z.enum(ledgerAccountBalanceFilters).optional(),
  sort: z.enum(ledgerAccountSortKeys).optional(),
  direction: z.enum(["asc", "desc"]).optional(),
  cursor: z.string().max(1000).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(50),
});
type LedgerAccountsView = z.infer<typeof ledgerAccountsView>;

export const ledgerAccountsExport: ListExport<LedgerAccountsView, LedgerAccountRow> = {
  permission: "ledger.read",
  filename: "ledger-accounts",
  schema: ledgerAccountsView,
  list: (db, input) => listLedgerAccountsView(db, { ...input, code: input.search }),
  columns: [
    { label: "Code", value: (row) => row.code },
    { label: "Account", value: (row) => row.name },
    { label: "Kind", value: (row) => row.kind },
    { label: "Currency", value: (row) => row.currency },
    { label: "Posted", type: "money", value: (row) => row.balance.posted },
    { label: "Pending", type: "money", value: (row) => row.balance.pending },
    { label: "Available", type: "money", value: (row) => row.balance.available },
    { label: "Never below zero", value: (row) => String(row.nonNegative) },
    { label: "Closed", value: (row) => String(row.closed) },
    { label: "Created", value: (row) => row.createdAt },
  ],
};

/** URL view of one account's statement: `account` is the account id (the page's path, the export's parameter). */
export const ledgerStatementView = z.object({
  account: z.uuid(),
  kind: z.enum(ledgerTransactionKinds).optional(),
  side: z.enum(statementSides).optional(),
  sort: z.enum(statementSortKeys).optional(),
  direction: z.enum(["asc", "desc"]).optional(),
  cursor: z.string().max(1000).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(50),
});
type LedgerStatementView = z.infer<typeof ledgerStatementView>;

export const ledgerStatementExport: ListExport<LedgerStatementView, StatementViewLine> = {
  permission: "ledger.read",
  filename: "ledger-statement",
  schema: ledgerStatementView,
  list: (db, input) => listAccountStatementView(db, { ...input, accountId: input.account }),
  columns: [
    { label: "Entry", value: (row) => row.entryId },
    { label: "Effective", value: (row) => row.effectiveAt },
    { label: "Transaction", value: (row) => row.transactionId },
    { label: "Kind", value: (row) => row.kind },
    { label: "Description", value: (row) => row.description },
    { label: "Debit", type: "money", value: (row) => (row.direction === "debit" ? row.amount : null) },
    { label: "Credit", type: "money", value: (row) => (row.direction === "credit" ? row.amount : null) },
    { label: "Balance", type: "money", value: (row) => row.balanceAfter },
  ],
};
