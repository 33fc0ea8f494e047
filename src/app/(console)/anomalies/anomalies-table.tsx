"use client";

import Link from "next/link";
import { DataTable, type DataTableColumn, type DataTableFilter } from "@/components/data-table/data-table";
import { formatDateTime, formatMoney } from "@/lib/format";
import type { AnomalyListItem } from "@/server/anomalies/list-anomalies";
import { AnomalySeverityStatus, kindLabels } from "./anomaly-list-parts";

const columns: DataTableColumn<AnomalyListItem>[] = [
  { id: "severity", meta: { label: "Severity · status" }, cell: ({ row }) => <AnomalySeverityStatus severity={row.original.severity} status={row.original.status} /> },
  { id: "kind", meta: { label: "Kind" }, cell: ({ row }) => <span className="whitespace-nowrap text-sm">{kindLabels[row.original.kind]}</span> },
  {
    id: "title",
    meta: { label: "What was found" },
    cell: ({ row }) => (
      <div className="max-w-xl whitespace-normal">
        <Link href={`/anomalies/${row.original.id}`} className="font-medium underline-offset-4 hover:underline">
          {row.original.title}
        </Link>
      </div>
    ),
  },
  {
    id: "customer",
    meta: { label: "Customer" },
    cell: ({ row }) =>
      row.original.customer ? (
        <Link href={`/customers/${row.original.customer.id}`} className="whitespace-nowrap text-sm underline-offset-4 hover:underline">
          {row.original.customer.name}
        </Link>
      ) : (
        "—"
      ),
  },
  { id: "impact", meta: { label: "At stake", sortable: true, align: "right" }, cell: ({ row }) => (row.original.impactMicros === null ? "—" : formatMoney(row.original.impactMicros, row.original.currency)) },
  { id: "assignee", meta: { label: "Assignee" }, cell: ({ row }) => <span className="text-sm">{row.original.assignee?.name ?? "—"}</span> },
  { id: "detected", meta: { label: "Detected", sortable: true }, cell: ({ row }) => <span className="whitespace-nowrap text-xs">{formatDateTime(row.original.firstDetectedAt)}</span> },
];

export function AnomaliesTable(props: { rows: AnomalyListItem[]; nextCursor: string | null; filters: DataTableFilter[]; error: string | null; emptyMessage: string }) {
  return (
    <DataTable
      name="anomalies"
      caption="Anomalies"
      columns={columns}
      rows={props.rows}
      getRowId={(row) => row.id}
      nextCursor={props.nextCursor}
      defaultSort={{ id: "impact", direction: "desc" }}
      filters={props.filters}
      exportPath="/api/lists/anomalies/export"
      error={props.error}
      emptyMessage={props.emptyMessage}
    />
  );
}
