"use client";

import Link from "next/link";
import { DataTable, type DataTableColumn } from "@/components/data-table/data-table";
import { formatDateTime, formatMoney } from "@/lib/format";
import type { StatementViewLine } from "@/server/ledger/list-account-statement-view";

function statementColumns(currency: string): DataTableColumn<StatementViewLine>[] {
  const money = (micros: bigint) => formatMoney(micros, currency, { precise: true });
  return [
    { id: "effective", meta: { label: "Effective", sortable: true }, cell: ({ row }) => <span className="whitespace-nowrap">{formatDateTime(row.original.effectiveAt)}</span> },
    {
      id: "kind",
      meta: { label: "Kind" },
      cell: ({ row }) => (
        <Link className="font-mono text-xs hover:underline" href={`/ledger/transactions/${row.original.transactionId}`}>
          {row.original.kind}
        </Link>
      ),
    },
    { id: "description", meta: { label: "Description" }, cell: ({ row }) => row.original.description },
    { id: "side", meta: { label: "Side" }, cell: ({ row }) => row.original.direction },
    { id: "amount", meta: { label: "Amount", align: "right", sortable: true }, cell: ({ row }) => money(row.original.amount) },
    { id: "balance", meta: { label: "Balance", align: "right" }, cell: ({ row }) => money(row.original.balanceAfter) },
  ];
}

export function StatementTable(props: { accountId: string; kinds: readonly string[]; currency: string; rows: StatementViewLine[]; nextCursor: string | null; error: string | null; emptyMessage: string }) {
  return (
    <DataTable
      name="account-statement"
      caption="Account statement"
      columns={statementColumns(props.currency)}
      rows={props.rows}
      getRowId={(row) => row.entryId}
      nextCursor={props.nextCursor}
      defaultSort={{ id: "effective", direction: "asc" }}
      filters={[
        { id: "side", label: "Side", options: [{ value: "debit", label: "Debits" }, { value: "credit", label: "Credits" }] },
        { id: "kind", label: "Transaction kind", options: props.kinds.map((kind) => ({ value: kind, label: kind })) },
      ]}
      exportPath={`/api/lists/ledger-statement/export?account=${props.accountId}`}
      error={props.error}
      emptyMessage={props.emptyMessage}
    />
  );
}
