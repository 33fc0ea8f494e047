"use client";

import { DataTable, type DataTableColumn } from "@/components/data-table/data-table";
import { Badge } from "@/components/ui/badge";
import { formatDateTime } from "@/lib/format";
import type { ApiRequestViewRow } from "@/server/http/list-api-requests-view";

function statusVariant(status: number) {
  if (status >= 500) return "destructive" as const;
  if (status >= 400) return "warning" as const;
  return "success" as const;
}

const statusLabels: Record<string, string> = { "2xx": "2xx succeeded", "4xx": "4xx refused", "5xx": "5xx failed" };
const methods = ["GET", "POST", "PUT", "PATCH", "DELETE"];

const columns: DataTableColumn<ApiRequestViewRow>[] = [
  { id: "time", meta: { label: "When", sortable: true }, cell: ({ row }) => <span className="whitespace-nowrap">{formatDateTime(row.original.createdAt)}</span> },
  {
    id: "request",
    meta: { label: "Request" },
    cell: ({ row }) => (
      <span className="font-mono text-xs">
        {row.original.method} {row.original.path.length > 80 ? `${row.original.path.slice(0, 80)}…` : row.original.path}
        {row.original.replayed ? <span className="ml-2 font-sans text-muted-foreground">(idempotent replay)</span> : null}
      </span>
    ),
  },
  { id: "operation", meta: { label: "Operation" }, cell: ({ row }) => <span className="font-mono text-xs">{row.original.operationId ?? "—"}</span> },
  {
    id: "status",
    meta: { label: "Answer" },
    cell: ({ row }) => (
      <span className="whitespace-nowrap">
        <Badge variant={statusVariant(row.original.status)}>{row.original.status}</Badge>
        {row.original.errorCode ? <span className="ml-2 font-mono text-xs">{row.original.errorCode}</span> : null}
      </span>
    ),
  },
  { id: "key", meta: { label: "Key" }, cell: ({ row }) => <span className="text-xs">{row.original.keyName ?? "—"}</span> },
  { id: "requestId", meta: { label: "Request id" }, cell: ({ row }) => <span className="font-mono text-xs">{row.original.requestId}</span> },
  { id: "duration", meta: { label: "Time", sortable: true, align: "right" }, cell: ({ row }) => `${row.original.durationMs.toLocaleString("en-US")} ms` },
];

export function ApiRequestsTable(props: {
  customerId: string;
  rows: ApiRequestViewRow[];
  nextCursor: string | null;
  statusClasses: readonly string[];
  keys: { id: string; name: string; prefix: string }[];
  error: string | null;
  emptyMessage: string;
}) {
  return (
    <DataTable
      name="api-requests"
      caption="API requests"
      columns={columns}
      rows={props.rows}
      getRowId={(row) => row.id}
      nextCursor={props.nextCursor}
      defaultSort={{ id: "time", direction: "desc" }}
      search={{ label: "Find requests", placeholder: "Request id or part of the path" }}
      filters={[
        { id: "status", label: "Answer", options: props.statusClasses.map((value) => ({ value, label: statusLabels[value] ?? value })) },
        { id: "method", label: "Method", options: methods.map((value) => ({ value, label: value })) },
        { id: "operation", label: "Operation", text: { placeholder: "e.g. createSubscription", maxLength: 200 } },
        { id: "key", label: "Key", options: props.keys.map((key) => ({ value: key.id, label: `${key.name} (${key.prefix}…)` })) },
      ]}
      exportPath={`/api/lists/api-activity/export?customer=${props.customerId}`}
      error={props.error}
      emptyMessage={props.emptyMessage}
    />
  );
}
