import Link from "next/link";
import { PageHeader } from "@/components/console/page-header";
import { requirePermission } from "@/components/console/require-permission";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { formatDateTime } from "@/lib/format";
import { webhookEventTypes } from "@/server/webhooks/webhook-event-types";
import { getServerApi } from "@/trpc/server";
import { CreateWebhookEndpointForm } from "./create-webhook-endpoint-form";

/** Admin → Webhooks out: where the product hears about billing changes. */
export default async function WebhookEndpointsPage() {
  await requirePermission("webhooks.manage");
  const api = await getServerApi();
  const endpoints = await api.webhookEndpoint.list();
  const disabled = endpoints.filter((endpoint) => endpoint.status === "disabled" && endpoint.disabledReason?.startsWith("Every delivery failed"));
  return (
    <div className="flex flex-col gap-6">
      <PageHeader
        title="Webhooks out"
        description={
          <>
            Endpoints of the product that receive billing events, signed per Standard Webhooks with each endpoint&apos;s own secret and retried for three days.{" "}
            <a className="underline" href="/api/docs">
              API reference
            </a>
          </>
        }
      />
      {disabled.map((endpoint) => (
        <Alert key={endpoint.id} variant="destructive" data-testid="webhook-endpoint-disabled-alert">
          <Link className="font-medium underline" href={`/admin/webhook-endpoints/${endpoint.id}`}>
            {endpoint.url}
          </Link>{" "}
          was disabled: {endpoint.disabledReason}. Fix the receiver, re-enable it, and replay what failed.
        </Alert>
      ))}
      {endpoints.length === 0 ? (
        <p className="text-sm text-muted-foreground">No endpoints yet: register the product&apos;s first one below.</p>
      ) : (
        <div className="overflow-x-auto rounded-lg border">
          <Table data-testid="webhook-endpoints-table">
            <TableHeader>
              <TableRow>
                <TableHead>Endpoint</TableHead>
                <TableHead>Events</TableHead>
                <TableHead>Status</TableHead>
                <TableHead className="text-right">Delivered</TableHead>
                <TableHead className="text-right">Pending</TableHead>
                <TableHead className="text-right">Failed</TableHead>
                <TableHead>Last delivery</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {endpoints.map((endpoint) => (
                <TableRow key={endpoint.id}>
                  <TableCell>
                    <Link className="font-medium hover:underline" href={`/admin/webhook-endpoints/${endpoint.id}`}>
                      {endpoint.url}
                    </Link>
                    {endpoint.description ? <div className="text-xs text-muted-foreground">{endpoint.description}</div> : null}
                  </TableCell>
                  <TableCell className="text-xs">{endpoint.eventTypes.includes("*") ? "all events" : `${endpoint.eventTypes.length} of ${webhookEventTypes.length}`}</TableCell>
                  <TableCell>
                    <Badge variant={endpoint.status === "enabled" ? (endpoint.failingSince ? "warning" : "success") : "destructive"}>{endpoint.status === "enabled" && endpoint.failingSince ? "failing" : endpoint.status}</Badge>
                  </TableCell>
                  <TableCell className="text-right tabular-nums">{endpoint.delivered.toLocaleString("en-US")}</TableCell>
                  <TableCell className="text-right tabular-nums">{endpoint.pending.toLocaleString("en-US")}</TableCell>
                  <TableCell className="text-right tabular-nums">{endpoint.failed.toLocaleString("en-US")}</TableCell>
                  <TableCell className="whitespace-nowrap text-sm">{formatDateTime(endpoint.lastDeliveredAt)}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </div>
      )}
      <CreateWebhookEndpointForm eventTypes={webhookEventTypes} />
    </div>
  );
}
