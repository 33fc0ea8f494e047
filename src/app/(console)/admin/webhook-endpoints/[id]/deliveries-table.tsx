"use client";

import { DataTable, type DataTableColumn } from "@/components/data-table/data-table";
import { Badge } from "@/components/ui/badge";
import { formatDateTime } from "@/lib/format";
import type { WebhookDeliveryView } from "@/server/webhooks/list-webhook-deliveries";
import { ReplayDeliveryButton } from "./endpoint-actions";

const statusVariant = { delivered: "success", pending: "warning", failed: "destructive" } as const;

function lastResult(delivery: WebhookDeliveryView): string {
  const last = delivery.lastStatusCode ? `HTTP ${delivery.lastStatusCode}` : (delivery.lastError ?? "—");
  return delivery.status === "pending" && delivery.attempts > 0 ? `${last}, next ${formatDateTime(delivery.nextAttemptAt)}` : last;
}

function DeliveryDetails({ delivery }: { delivery: WebhookDeliveryView }) {
  return (
    <details data-testid="delivery">
      <summary className="cursor-pointer text-sm">Request and attempts</summary>
      <div className="mt-3 flex max-w-2xl flex-col gap-3 text-xs">
        <div className="flex justify-end">
          <ReplayDeliveryButton deliveryId={delivery.id} eventType={delivery.eventType} />
        </div>
        <div>
          <h4 className="mb-1 font-medium">Request body (webhook-id {delivery.eventId})</h4>
          <pre className="max-h-64 overflow-auto rounded bg-muted p-2">{JSON.stringify(JSON.parse(delivery.body), null, 2)}</pre>
        </div>
        {delivery.log.map((attempt) => (
          <div key={attempt.id} className="rounded border p-2">
            <p className="mb-1">
              {formatDateTime(attempt.attemptedAt)} · {attempt.trigger === "replay" ? `replay by ${attempt.actorId ?? "?"}` : "automatic"} · {attempt.statusCode ? `HTTP ${attempt.statusCode}` : (attempt.error ?? "no answer")} ·{" "}
              {attempt.durationMs.toLocaleString("en-US")} ms
            </p>
            <pre className="overflow-auto rounded bg-muted p-2">{Object.entries(attempt.requestHeaders).map(([name, value]) => `${name}: ${value}`).join("\n")}</pre>
            {attempt.responseBody ? <pre className="mt-1 max-h-40 overflow-auto rounded bg-muted p-2">{attempt.responseBody}</pre> : null}
          </div>
        ))}
        {delivery.attempts > delivery.log.length ? <p className="text-muted-foreground">The newest {delivery.log.length} of {delivery.attempts} attempts are shown.</p> : null}
      </div>
    </details>
  );
}

const columns: DataTableColumn<WebhookDeliveryView>[] = [
  { id: "status", meta: { label: "Status" }, cell: ({ row }) => <Badge variant={statusVariant[row.original.status]}>{row.original.status}</Badge> },
  { id: "event", meta: { label: "Event" }, cell: ({ row }) => <span className="font-mono text-xs">{row.original.eventType}</span> },
  { id: "created", meta: { label: "Created", sortable: true }, cell: ({ row }) => <span className="whitespace-nowrap">{formatDateTime(row.original.createdAt)}</span> },
  { id: "attempts", meta: { label: "Attempts", sortable: true, align: "right" }, cell: ({ row }) => row.original.attempts },
  { id: "last", meta: { label: "Last result" }, cell: ({ row }) => <span className="text-xs">{lastResult(row.original)}</span> },
  { id: "details", meta: { label: "Details" }, cell: ({ row }) => <DeliveryDetails delivery={row.original} /> },
];

export function DeliveriesTable(props: { endpointId: string; rows: WebhookDeliveryView[]; nextCursor: string | null; error: string | null; emptyMessage: string }) {
  return (
    <DataTable
      name="deliveries"
      caption="Delivery log"
      columns={columns}
      rows={props.rows}
      getRowId={(row) => row.id}
      nextCursor={props.nextCursor}
      defaultSort={{ id: "created", direction: "desc" }}
      filters={[{ id: "status", label: "Status", options: ["pending", "delivered", "failed"].map((status) => ({ value: status, label: status })) }]}
      exportPath={`/api/lists/webhook-deliveries/export?endpoint=${props.endpointId}`}
      error={props.error}
      emptyMessage={props.emptyMessage}
    />
  );
}
