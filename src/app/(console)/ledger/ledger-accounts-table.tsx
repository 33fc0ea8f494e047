"use client";

import Link from "next/link";
import { DataTable, type DataTableColumn } from "@/components/data-table/data-table";
import { Badge } from "@/components/ui/badge";
import { formatDateTime, formatMoney } from "@/lib/format";
import type { LedgerAccountRow } from "@/server/ledger/list-accounts-view";

const money = (micros: bigint, currency: string) => formatMoney(micros, currency, { precise: true });

const columns: DataTableColumn<LedgerAccountRow>[] = [
  {
    id: "name",
    meta: { label: "Account" },
    cell: ({ row }) => (
      <Link className="hover:underline" href={`/ledger/accounts/${row.original.id}`}>
        {row.original.name}
      </Link>
    ),
  },
  {
    id: "code",
    meta: { label: "Code", sortable: true },
    cell: ({ row }) => (
      <span className="font-mono text-xs">
        <Link className="hover:underline" href={`/ledger/accounts/${row.original.id}`}>
          {row.original.code}
        </Link>
        {row.original.nonNegative ? <Badge variant="outline" className="ml-2">never below zero</Badge> : null}
        {row.original.closed ? <Badge variant="secondary" className="ml-2">closed</Badge> : null}
      </span>
    ),
  },
  { id: "kind", meta: { label: "Kind" }, cell: ({ row }) => row.original.kind },
  { id: "posted", meta: { label: "Posted", align: "right" }, cell: ({ row }) => money(row.original.balance.posted, row.original.currency) },
  { id: "pending", meta: { label: "Pending", align: "right" }, cell: ({ row }) => money(row.original.balance.pending, row.original.currency) },
  { id: "available", meta: { label: "Available", align: "right" }, cell: ({ row }) => money(row.original.balance.available, row.original.currency) },
  { id: "created", meta: { label: "Opened", sortable: true }, cell: ({ row }) => <span className="whitespace-nowrap">{formatDateTime(row.original.createdAt)}</span> },
];

export function LedgerAccountsTable(props: { rows: LedgerAccountRow[]; kinds: readonly string[]; nextCursor: string | null; currencies: string[]; error: string | null; emptyMessage: string }) {
  return (
    <DataTable
      name="ledger-accounts"
      caption="Ledger accounts"
      columns={columns}
      rows={props.rows}
      getRowId={(row) => row.id}
      nextCursor={props.nextCursor}
      defaultSort={{ id: "code", direction: "asc" }}
      search={{ label: "Account code starts with", placeholder: "Code starts with, e.g. revenue: or customer:" }}
      filters={[
        { id: "kind", label: "Kind", options: props.kinds.map((kind) => ({ value: kind, label: kind })) },
        { id: "currency", label: "Currency", options: props.currencies.map((currency) => ({ value: currency, label: currency.toUpperCase() })) },
        { id: "balance", label: "Balance", options: [{ value: "nonzero", label: "Not zero" }, { value: "zero", label: "Zero" }] },
      ]}
      exportPath="/api/lists/ledger-accounts/export"
      error={props.error}
      emptyMessage={props.emptyMessage}
    />
  );
}
