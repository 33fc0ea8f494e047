"use client";

import { DataTable, type DataTableColumn } from "@/components/data-table/data-table";
import { Badge } from "@/components/ui/badge";
import { formatDate, formatMoney } from "@/lib/format";
import type { CustomerGrantView } from "@/server/grants/list-customer-grants";

const stateVariant = { active: "success", scheduled: "secondary", used: "outline", expired: "outline" } as const;

const columns: DataTableColumn<CustomerGrantView>[] = [
  { id: "amount", meta: { label: "Granted", align: "right" }, cell: ({ row }) => formatMoney(row.original.amountMicros, row.original.currency) },
  { id: "remaining", meta: { label: "Remaining", align: "right" }, cell: ({ row }) => <span className="font-medium">{formatMoney(row.original.remainingMicros, row.original.currency)}</span> },
  { id: "state", meta: { label: "State" }, cell: ({ row }) => <Badge variant={stateVariant[row.original.state]}>{row.original.state}</Badge> },
  { id: "category", meta: { label: "Category" }, cell: ({ row }) => row.original.category },
  { id: "source", meta: { label: "Source" }, cell: ({ row }) => <span title={row.original.reason}>{row.original.source}</span> },
  { id: "appliesTo", meta: { label: "Applies to" }, cell: ({ row }) => (row.original.appliesTo === "all" ? "all usage" : [...row.original.productKeys, ...row.original.meterKeys].join(", ")) },
  { id: "reason", meta: { label: "Reason" }, cell: ({ row }) => <span className="block max-w-xs whitespace-normal text-xs">{row.original.reason || "—"}</span> },
  { id: "effective", meta: { label: "Starts", sortable: true }, cell: ({ row }) => <span className="whitespace-nowrap">{formatDate(row.original.effectiveAt)}</span> },
  { id: "expires", meta: { label: "Expires" }, cell: ({ row }) => <span className="whitespace-nowrap">{row.original.expiresAt ? formatDate(row.original.expiresAt) : "never"}</span> },
  { id: "granted", meta: { label: "Granted on", sortable: true }, cell: ({ row }) => <span className="whitespace-nowrap">{formatDate(row.original.createdAt)}</span> },
];

export function GrantsTable(props: {
  customerId: string;
  rows: CustomerGrantView[];
  nextCursor: string | null;
  categories: readonly string[];
  sources: readonly string[];
  error: string | null;
  emptyMessage: string;
}) {
  return (
    <DataTable
      name="credit-grants"
      caption="Credit grants"
      columns={columns}
      rows={props.rows}
      getRowId={(row) => row.id}
      nextCursor={props.nextCursor}
      defaultSort={{ id: "granted", direction: "desc" }}
      filters={[
        { id: "category", label: "Category", options: props.categories.map((category) => ({ value: category, label: category })) },
        { id: "source", label: "Source", options: props.sources.map((source) => ({ value: source, label: source })) },
      ]}
      exportPath={`/api/lists/credit-grants/export?customer=${props.customerId}`}
      error={props.error}
      emptyMessage={props.emptyMessage}
    />
  );
}
