"use client";

import Link from "next/link";
import { DataTable, type DataTableColumn } from "@/components/data-table/data-table";
import { Badge } from "@/components/ui/badge";
import { formatDate, formatMoney } from "@/lib/format";
import type { ListedCustomer } from "@/server/customers/list-customers";

const statusLabels: Record<ListedCustomer["status"], string> = {
  trialing: "Trialing",
  active: "Active",
  past_due: "Past due",
  unpaid: "Unpaid",
  canceled: "Canceled",
  incomplete: "Incomplete",
  none: "No subscription",
};

const statusVariant = (status: ListedCustomer["status"]) =>
  status === "past_due" || status === "unpaid" ? "destructive" : status === "active" ? "success" : status === "trialing" ? "default" : "secondary";

const columns: DataTableColumn<ListedCustomer>[] = [
  {
    id: "name",
    meta: { label: "Name", sortable: true },
    cell: ({ row }) => (
      <Link className="font-medium hover:underline" href={`/customers/${row.original.id}`}>
        {row.original.name}
      </Link>
    ),
  },
  { id: "email", meta: { label: "Email" }, cell: ({ row }) => row.original.email },
  { id: "externalId", meta: { label: "External id" }, cell: ({ row }) => <span className="font-mono text-xs">{row.original.externalId}</span> },
  { id: "plan", meta: { label: "Plan", sortable: true }, cell: ({ row }) => row.original.planName || <span className="text-muted-foreground">—</span> },
  {
    id: "status",
    meta: { label: "Status", sortable: true },
    cell: ({ row }) => <Badge variant={statusVariant(row.original.status)}>{statusLabels[row.original.status]}</Badge>,
  },
  { id: "balance", meta: { label: "Balance due", sortable: true, align: "right" }, cell: ({ row }) => formatMoney(row.original.balanceDueMicros, row.original.currency) },
  { id: "spend", meta: { label: "Spend this month", sortable: true, align: "right" }, cell: ({ row }) => formatMoney(row.original.monthSpendMicros, row.original.currency) },
  {
    id: "anomalies",
    meta: { label: "Open anomalies", sortable: true, align: "right" },
    cell: ({ row }) => (row.original.openAnomalies > 0 ? <Badge variant="destructive">{row.original.openAnomalies.toLocaleString("en-US")}</Badge> : "0"),
  },
  { id: "kind", meta: { label: "Kind" }, cell: ({ row }) => (row.original.kind === "team" ? "Team" : "Individual") },
  { id: "created", meta: { label: "Customer since", sortable: true }, cell: ({ row }) => formatDate(row.original.createdAt) },
];

export function CustomersTable(props: {
  rows: ListedCustomer[];
  nextCursor: string | null;
  plans: { key: string; name: string }[];
  error: string | null;
  emptyMessage: string;
}) {
  return (
    <DataTable
      name="customers"
      caption="Customers"
      columns={columns}
      rows={props.rows}
      getRowId={(row) => row.id}
      nextCursor={props.nextCursor}
      defaultSort={{ id: "name", direction: "asc" }}
      search={{ label: "Search customers", placeholder: "Name, email or external id" }}
      filters={[
        { id: "status", label: "Status", options: Object.entries(statusLabels).map(([value, label]) => ({ value, label })) },
        { id: "plan", label: "Plan", options: props.plans.map((plan) => ({ value: plan.key, label: plan.name })) },
        { id: "kind", label: "Kind", options: [{ value: "individual", label: "Individuals" }, { value: "team", label: "Teams" }] },
      ]}
      exportPath="/api/lists/customers/export"
      error={props.error}
      emptyMessage={props.emptyMessage}
    />
  );
}
