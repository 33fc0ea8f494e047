"use client";

import { DataTable, type DataTableColumn } from "@/components/data-table/data-table";
import { Badge } from "@/components/ui/badge";
import { formatDateTime } from "@/lib/format";
import type { WebhookEventSummary } from "@/server/stripe/list-webhook-events";
import { ReplayButton } from "./replay-button";

const eventVariant = { pending: "secondary", processed: "outline", failed: "warning", parked: "destructive" } as const;

const columns: DataTableColumn<WebhookEventSummary>[] = [
  {
    id: "event",
    meta: { label: "Event" },
    cell: ({ row }) => (
      <span className="font-mono text-xs">
        {row.original.type}
        <span className="block text-muted-foreground">{row.original.id}</span>
      </span>
    ),
  },
  { id: "status", meta: { label: "Status" }, cell: ({ row }) => <Badge variant={eventVariant[row.original.status]}>{row.original.status}</Badge> },
  { id: "attempts", meta: { label: "Attempts", align: "right" }, cell: ({ row }) => row.original.attempts },
  { id: "error", meta: { label: "Error" }, cell: ({ row }) => <span className="block max-w-md whitespace-normal text-xs">{row.original.lastError ?? "—"}</span> },
  { id: "received", meta: { label: "Received", sortable: true }, cell: ({ row }) => <span className="whitespace-nowrap">{formatDateTime(row.original.receivedAt)}</span> },
  { id: "created", meta: { label: "Created at Stripe", sortable: true }, cell: ({ row }) => <span className="whitespace-nowrap">{formatDateTime(row.original.created)}</span> },
  {
    id: "next",
    meta: { label: "Next attempt" },
    cell: ({ row }) => <span className="whitespace-nowrap">{row.original.status === "pending" || row.original.status === "failed" ? formatDateTime(row.original.nextAttemptAt) : "—"}</span>,
  },
  {
    id: "actions",
    meta: { label: "Actions", align: "right" },
    cell: ({ row }) => (row.original.status === "failed" || row.original.status === "parked" ? <ReplayButton eventId={row.original.id} eventType={row.original.type} /> : null),
  },
];

export function WebhookEventsTable(props: { rows: WebhookEventSummary[]; nextCursor: string | null; statuses: readonly string[]; types: string[]; error: string | null; emptyMessage: string }) {
  return (
    <DataTable
      name="webhook-events"
      caption="Stripe events received"
      columns={columns}
      rows={props.rows}
      getRowId={(row) => row.id}
      nextCursor={props.nextCursor}
      defaultSort={{ id: "received", direction: "desc" }}
      search={{ label: "Find an event", placeholder: "Event id, e.g. evt_1P…" }}
      filters={[
        { id: "status", label: "Status", options: props.statuses.map((status) => ({ value: status, label: status })) },
        { id: "type", label: "Type", options: props.types.map((type) => ({ value: type, label: type })) },
      ]}
      exportPath="/api/lists/webhook-events/export"
      error={props.error}
      emptyMessage={props.emptyMessage}
    />
  );
}
