"use client";

import Link from "next/link";
import { Badge } from "@/components/ui/badge";
import { DataTable, type DataTableColumn } from "@/components/data-table/data-table";
import { creditRequestStatuses, type CreditRequestStatus } from "@/db/schema/grants";
import { formatDate, formatDateTime, formatMoney } from "@/lib/format";
import { DecisionForm } from "./decision-form";

export type ApprovalRow = {
  id: string;
  customerId: string;
  customerName: string;
  amountMicros: bigint;
  limitMicros: bigint;
  currency: string;
  reason: string;
  status: CreditRequestStatus;
  requestedBy: string;
  requestedByLabel: string;
  createdAt: Date;
  expiresAt: Date | null;
  decidedByLabel: string | null;
  decidedAt: Date | null;
  decisionNote: string | null;
};

const statusVariant = { pending: "warning", approved: "success", issued: "success", rejected: "destructive" } as const;

export function ApprovalsTable(props: { rows: ApprovalRow[]; currentUserId: string; status: CreditRequestStatus; nextCursor: string | null; error: string | null; emptyMessage: string }) {
  const columns: DataTableColumn<ApprovalRow>[] = [
    {
      id: "customer",
      meta: { label: "Customer" },
      cell: ({ row }) => (
        <Link className="underline" href={`/customers/${row.original.customerId}`}>
          {row.original.customerName}
        </Link>
      ),
    },
    {
      id: "amount",
      meta: { label: "Amount", sortable: true, align: "right" },
      cell: ({ row }) => (
        <div className="font-medium">
          {formatMoney(row.original.amountMicros, row.original.currency)}
          <div className="text-xs font-normal text-muted-foreground">limit {formatMoney(row.original.limitMicros, row.original.currency)}</div>
        </div>
      ),
    },
    { id: "reason", meta: { label: "Reason" }, cell: ({ row }) => <div className="max-w-xs whitespace-normal">{row.original.reason}</div> },
    {
      id: "requested",
      meta: { label: "Requested", sortable: true },
      cell: ({ row }) => (
        <div>
          {row.original.requestedByLabel}
          <div className="text-xs text-muted-foreground">{formatDateTime(row.original.createdAt)}</div>
        </div>
      ),
    },
    { id: "expires", meta: { label: "Credit expires" }, cell: ({ row }) => (row.original.expiresAt ? formatDate(row.original.expiresAt) : "never") },
    {
      id: "decision",
      meta: { label: "Decision" },
      cell: ({ row }) => {
        const request = row.original;
        if (request.status !== "pending") {
          return (
            <div className="max-w-xs whitespace-normal">
              <Badge variant={statusVariant[request.status]}>{request.status}</Badge>
              {request.decidedByLabel ? <div className="text-xs text-muted-foreground">{`${request.decidedByLabel}${request.decidedAt ? `, ${formatDateTime(request.decidedAt)}` : ""}`}</div> : null}
              {request.decisionNote ? <div className="text-xs">{request.decisionNote}</div> : null}
            </div>
          );
        }
        return request.requestedBy === props.currentUserId ? (
          <span className="text-sm text-muted-foreground">Your own request: another approver decides.</span>
        ) : (
          <DecisionForm creditRequestId={request.id} customerName={request.customerName} amountLabel={formatMoney(request.amountMicros, request.currency)} />
        );
      },
    },
  ];
  return (
    <DataTable
      name="approvals"
      caption="Credit requests"
      columns={columns}
      rows={props.rows}
      getRowId={(row) => row.id}
      rowTestId={(row) => `approval-${row.id}`}
      nextCursor={props.nextCursor}
      defaultSort={{ id: "requested", direction: props.status === "pending" ? "asc" : "desc" }}
      search={{ label: "Search credit requests", placeholder: "Customer name or external id" }}
      filters={[{ id: "status", label: "Status", defaultValue: "pending", options: creditRequestStatuses.map((status) => ({ value: status, label: status === "pending" ? "pending (the queue)" : status })) }]}
      exportPath="/api/lists/credit-requests/export"
      error={props.error}
      emptyMessage={props.emptyMessage}
    />
  );
}
