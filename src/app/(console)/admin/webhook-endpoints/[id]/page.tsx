import { notFound } from "next/navigation";
import { TRPCError } from "@trpc/server";
import { PageHeader } from "@/components/console/page-header";
import { requirePermission } from "@/components/console/require-permission";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { formatDateTime } from "@/lib/format";
import { loadView, parseView, type UrlParams } from "@/server/api/lists/list-view";
import { webhookDeliveriesView } from "@/server/api/lists/webhook-lists";
import { getServerApi } from "@/trpc/server";
import { DeliveriesTable } from "./deliveries-table";
import { EndpointActions, RevealSecret } from "./endpoint-actions";

/** One endpoint: settings, secret, and its delivery log (each attempt's request, response and duration) with replay. */
export default async function WebhookEndpointPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<UrlParams> }) {
  await requirePermission("webhooks.manage");
  const { id } = await params;
  const api = await getServerApi();
  const endpoint = await api.webhookEndpoint.get({ id }).catch((error: unknown) => {
    if (error instanceof TRPCError && (error.code === "NOT_FOUND" || error.code === "BAD_REQUEST")) notFound();
    throw error;
  });
  const view = parseView(webhookDeliveriesView, await searchParams, { endpoint: endpoint.id });
  const input = view.ok ? view.input : webhookDeliveriesView.parse({ endpoint: endpoint.id });
  const { page, error } = await loadView(input, (next) => api.webhookEndpoint.deliveriesView({ ...next, limit: 20 }));
  return (
    <div className="flex flex-col gap-6">
      <PageHeader title={endpoint.url} description={endpoint.description || "Webhook endpoint"} actions={<EndpointActions id={endpoint.id} status={endpoint.status} />} />
      {endpoint.status === "disabled" ? (
        <Alert variant="destructive" data-testid="endpoint-disabled">
          Disabled {formatDateTime(endpoint.disabledAt)}: {endpoint.disabledReason}. Nothing is sent while disabled; re-enabling resumes pending deliveries.
        </Alert>
      ) : endpoint.failingSince ? (
        <Alert variant="destructive">Every delivery has failed since {formatDateTime(endpoint.failingSince)}; after three days the endpoint is disabled.</Alert>
      ) : null}
      <Card>
        <CardHeader>
          <CardTitle>Settings</CardTitle>
        </CardHeader>
        <CardContent>
          <dl className="grid grid-cols-1 gap-x-8 gap-y-2 text-sm md:grid-cols-[10rem_1fr]">
            <dt className="text-muted-foreground">Status</dt>
            <dd>
              <Badge variant={endpoint.status === "enabled" ? "success" : "destructive"}>{endpoint.status}</Badge>
            </dd>
            <dt className="text-muted-foreground">Events</dt>
            <dd className="font-mono text-xs">{endpoint.eventTypes.includes("*") ? "all events" : endpoint.eventTypes.join(", ")}</dd>
            <dt className="text-muted-foreground">Signing secret</dt>
            <dd>
              <RevealSecret id={endpoint.id} hint={endpoint.secretHint} />
            </dd>
            <dt className="text-muted-foreground">Registered</dt>
            <dd>
              {formatDateTime(endpoint.createdAt)} by {endpoint.createdBy}
            </dd>
          </dl>
        </CardContent>
      </Card>
      <section className="flex flex-col gap-2" data-testid="delivery-log">
        <h2 className="text-lg font-medium">Delivery log</h2>
        <DeliveriesTable
          endpointId={endpoint.id}
          rows={page.items}
          nextCursor={page.nextCursor}
          error={view.ok ? error : `${view.message} (showing every delivery)`}
          emptyMessage={input.status ? `No deliveries ${input.status}.` : "No deliveries yet."}
        />
      </section>
    </div>
  );
}
