"use client";

import Link from "next/link";
import { DataTable, type DataTableColumn } from "@/components/data-table/data-table";
import { Badge } from "@/components/ui/badge";
import { formatDateTime, formatMoney } from "@/lib/format";
import type { Payment } from "@/server/stripe/list-payments";
import { describeCard, paymentStatusVariant } from "../../../invoices/payment-display";

function columns(doubles: ReadonlySet<string>): DataTableColumn<Payment>[] {
  return [
    { id: "created", meta: { label: "When", sortable: true }, cell: ({ row }) => <span className="whitespace-nowrap">{formatDateTime(row.original.created)}</span> },
    { id: "amount", meta: { label: "Amount", sortable: true, align: "right" }, cell: ({ row }) => <span className="font-mono">{formatMoney(row.original.amountMicros, row.original.currency)}</span> },
    {
      id: "status",
      meta: { label: "Status" },
      cell: ({ row }) => (
        <span className="flex flex-wrap items-center gap-1">
          <Badge variant={paymentStatusVariant[row.original.status] ?? "outline"}>{row.original.status}</Badge>
          {row.original.refunded ? <Badge variant="secondary">refunded</Badge> : null}
          {row.original.disputed ? <Badge variant="destructive">disputed</Badge> : null}
          {doubles.has(row.original.chargeId) ? (
            <Badge variant="destructive" title="Another succeeded charge on this page has the same amount and card, for the same invoice or within a day">
              possible double charge
            </Badge>
          ) : null}
        </span>
      ),
    },
    { id: "card", meta: { label: "Card" }, cell: ({ row }) => <span className="text-sm">{describeCard(row.original)}</span> },
    {
      id: "failure",
      meta: { label: "Why it failed" },
      cell: ({ row }) => {
        const payment = row.original;
        if (payment.status !== "failed") return "";
        const code = payment.declineCode ?? payment.failureCode;
        return (
          <span className="block max-w-xs whitespace-normal text-sm">
            {payment.failureMessage ?? "Failed"}
            {code ? <span className="text-muted-foreground"> ({code.replaceAll("_", " ")})</span> : null}
          </span>
        );
      },
    },
    {
      id: "refunds",
      meta: { label: "Refunds" },
      cell: ({ row }) =>
        row.original.refunds.map((refund) => (
          <div key={refund.stripeId} className="text-sm">
            {formatMoney(refund.amountMicros, row.original.currency)} {refund.status}
            {refund.reason ? `, ${refund.reason.replaceAll("_", " ")}` : ""} on {formatDateTime(refund.created)}
          </div>
        )),
    },
    {
      id: "invoice",
      meta: { label: "Invoice" },
      cell: ({ row }) => {
        const payment = row.original;
        if (payment.invoice) {
          return (
            <Link href={`/invoices/${payment.invoice.id}`} className="underline-offset-4 hover:underline">
              {payment.invoice.number ?? "draft"}
            </Link>
          );
        }
        if (payment.stripeInvoiceId) return <span className="font-mono text-xs">{payment.stripeInvoiceId}</span>;
        return <span className="text-sm text-muted-foreground">{payment.description ?? "no invoice"}</span>;
      },
    },
  ];
}

/** A customer's charges as support reads them, on the console's list table. */
export function PaymentsDataTable(props: { customerId: string; rows: Payment[]; nextCursor: string | null; doubles: string[]; statuses: readonly string[]; error: string | null; emptyMessage: string }) {
  const doubles = new Set(props.doubles);
  return (
    <DataTable
      name="payments"
      caption="Payments and refunds"
      columns={columns(doubles)}
      rows={props.rows}
      getRowId={(row) => row.chargeId}
      rowTestId={(row) => `payment-${row.chargeId}`}
      nextCursor={props.nextCursor}
      defaultSort={{ id: "created", direction: "desc" }}
      filters={[{ id: "status", label: "Status", options: props.statuses.map((status) => ({ value: status, label: status })) }]}
      exportPath={`/api/lists/payments/export?customer=${props.customerId}`}
      error={props.error}
      emptyMessage={props.emptyMessage}
    />
  );
}
