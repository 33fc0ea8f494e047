"use client";

import { DataTable, type DataTableColumn } from "@/components/data-table/data-table";
import type { StripeSyncFailureRow } from "@/db/schema";
import { formatDateTime } from "@/lib/format";

const columns: DataTableColumn<StripeSyncFailureRow>[] = [
  { id: "occurred", meta: { label: "When", sortable: true }, cell: ({ row }) => <span className="whitespace-nowrap">{formatDateTime(row.original.occurredAt)}</span> },
  { id: "operation", meta: { label: "Operation" }, cell: ({ row }) => <span className="font-mono text-xs">{row.original.operation}</span> },
  {
    id: "object",
    meta: { label: "Object" },
    cell: ({ row }) => (
      <span className="font-mono text-xs">
        {row.original.objectType}
        <span className="block text-muted-foreground">{row.original.objectId}</span>
      </span>
    ),
  },
  {
    id: "said",
    meta: { label: "Stripe said" },
    cell: ({ row }) => (
      <span className="block max-w-md whitespace-normal text-xs">
        {row.original.httpStatus} {row.original.errorCode ?? row.original.errorType}: {row.original.message}
      </span>
    ),
  },
];

export function SyncFailuresTable(props: { rows: StripeSyncFailureRow[]; nextCursor: string | null; operations: string[]; objectTypes: string[]; error: string | null; emptyMessage: string }) {
  return (
    <DataTable
      name="sync-failures"
      caption="Outbound writes Stripe refused"
      columns={columns}
      rows={props.rows}
      getRowId={(row) => row.id}
      nextCursor={props.nextCursor}
      defaultSort={{ id: "occurred", direction: "desc" }}
      search={{ label: "Find a failure by object", placeholder: "Tally object id, or its start" }}
      filters={[
        { id: "operation", label: "Operation", options: props.operations.map((operation) => ({ value: operation, label: operation })) },
        { id: "objectType", label: "Object type", options: props.objectTypes.map((type) => ({ value: type, label: type })) },
      ]}
      exportPath="/api/lists/stripe-sync-failures/export"
      error={props.error}
      emptyMessage={props.emptyMessage}
    />
  );
}
