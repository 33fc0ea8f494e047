"use client";

import Link from "next/link";
import { DataTable, type DataTableColumn } from "@/components/data-table/data-table";
import { formatDate, formatMoney } from "@/lib/format";
import type { InvoiceSummary } from "@/server/invoicing/list-invoices";
import { InvoiceStatusBadge } from "./invoice-status-badge";

const statuses = ["draft", "finalized", "paid", "void", "uncollectible"] as const;
const kinds = ["period", "threshold", "proration", "opening", "credit_purchase"] as const;
const kindLabels: Record<(typeof kinds)[number], string> = {
  period: "Period",
  threshold: "Threshold",
  proration: "Proration",
  opening: "Opening",
  credit_purchase: "Credit purchase",
};

const columns: DataTableColumn<InvoiceSummary>[] = [
  {
    id: "number",
    meta: { label: "Number", sortable: true },
    cell: ({ row }) => (
      <Link href={`/invoices/${row.original.id}`} className="font-mono underline-offset-4 hover:underline">
        {row.original.number ?? "draft"}
      </Link>
    ),
  },
  {
    id: "customer",
    meta: { label: "Customer" },
    cell: ({ row }) => (
      <Link href={`/customers/${row.original.customerId}`} className="underline-offset-4 hover:underline">
        {row.original.customerName}
      </Link>
    ),
  },
  { id: "kind", meta: { label: "Kind" }, cell: ({ row }) => kindLabels[row.original.kind] },
  {
    id: "period",
    meta: { label: "Period", sortable: true },
    cell: ({ row }) => (
      <span className="text-muted-foreground">
        {formatDate(row.original.periodStart)} → {formatDate(row.original.periodEnd)}
      </span>
    ),
  },
  { id: "status", meta: { label: "Status", sortable: true }, cell: ({ row }) => <InvoiceStatusBadge status={row.original.status} /> },
  { id: "total", meta: { label: "Total", sortable: true, align: "right" }, cell: ({ row }) => formatMoney(row.original.totalMicros, row.original.currency) },
  { id: "issued", meta: { label: "Issued", sortable: true }, cell: ({ row }) => formatDate(row.original.issuedAt) },
  { id: "stripe", meta: { label: "Stripe invoice" }, cell: ({ row }) => <span className="font-mono text-xs">{row.original.stripeInvoiceId ?? "—"}</span> },
];

export function InvoicesDataTable(props: { rows: InvoiceSummary[]; nextCursor: string | null; error: string | null; emptyMessage: string }) {
  return (
    <DataTable
      name="invoices"
      caption="Invoices"
      columns={columns}
      rows={props.rows}
      getRowId={(row) => row.id}
      nextCursor={props.nextCursor}
      defaultSort={{ id: "issued", direction: "desc" }}
      search={{ label: "Find an invoice by number", placeholder: "Invoice number, e.g. TLY-000123" }}
      filters={[
        { id: "status", label: "Status", options: statuses.map((status) => ({ value: status, label: status[0]!.toUpperCase() + status.slice(1) })) },
        { id: "kind", label: "Kind", options: kinds.map((kind) => ({ value: kind, label: kindLabels[kind] })) },
      ]}
      exportPath="/api/lists/invoices/export"
      error={props.error}
      emptyMessage={props.emptyMessage}
    />
  );
}
