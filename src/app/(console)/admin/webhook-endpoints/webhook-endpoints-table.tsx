"use client";

import Link from "next/link";
import { DataTable, type DataTableColumn } from "@/components/data-table/data-table";
import { Badge } from "@/components/ui/badge";
import { formatDateTime } from "@/lib/format";
import type { WebhookEndpointSummary } from "@/server/webhooks/manage-webhook-endpoints";

function endpointColumns(eventTypeCount: number): DataTableColumn<WebhookEndpointSummary>[] {
  const count = (value: number) => value.toLocaleString("en-US");
  return [
    {
      id: "url",
      meta: { label: "Endpoint", sortable: true },
      cell: ({ row }) => (
        <>
          <Link className="font-medium hover:underline" href={`/admin/webhook-endpoints/${row.original.id}`}>
            {row.original.url}
          </Link>
          {row.original.description ? <span className="block text-xs text-muted-foreground">{row.original.description}</span> : null}
        </>
      ),
    },
    { id: "events", meta: { label: "Events" }, cell: ({ row }) => <span className="text-xs">{row.original.eventTypes.includes("*") ? "all events" : `${row.original.eventTypes.length} of ${eventTypeCount}`}</span> },
    {
      id: "status",
      meta: { label: "Status" },
      cell: ({ row }) => {
        const failing = row.original.status === "enabled" && row.original.failingSince;
        return <Badge variant={row.original.status === "enabled" ? (failing ? "warning" : "success") : "destructive"}>{failing ? "failing" : row.original.status}</Badge>;
      },
    },
    { id: "delivered", meta: { label: "Delivered", align: "right" }, cell: ({ row }) => count(row.original.delivered) },
    { id: "pending", meta: { label: "Pending", align: "right" }, cell: ({ row }) => count(row.original.pending) },
    { id: "failed", meta: { label: "Failed", align: "right" }, cell: ({ row }) => count(row.original.failed) },
    { id: "last", meta: { label: "Last delivery" }, cell: ({ row }) => <span className="whitespace-nowrap text-sm">{formatDateTime(row.original.lastDeliveredAt)}</span> },
    { id: "created", meta: { label: "Registered", sortable: true }, cell: ({ row }) => <span className="whitespace-nowrap text-sm">{formatDateTime(row.original.createdAt)}</span> },
  ];
}

export function WebhookEndpointsTable(props: { rows: WebhookEndpointSummary[]; nextCursor: string | null; eventTypeCount: number; error: string | null; emptyMessage: string }) {
  return (
    <DataTable
      name="webhook-endpoints"
      caption="Webhook endpoints"
      columns={endpointColumns(props.eventTypeCount)}
      rows={props.rows}
      getRowId={(row) => row.id}
      nextCursor={props.nextCursor}
      defaultSort={{ id: "created", direction: "desc" }}
      search={{ label: "Search endpoints", placeholder: "Part of a URL or description" }}
      filters={[{ id: "state", label: "Status", options: [{ value: "enabled", label: "Enabled" }, { value: "failing", label: "Failing" }, { value: "disabled", label: "Disabled" }] }]}
      exportPath="/api/lists/webhook-endpoints/export"
      error={props.error}
      emptyMessage={props.emptyMessage}
    />
  );
}
