import Link from "next/link";
import { notFound } from "next/navigation";
import { TRPCError } from "@trpc/server";
import { PageHeader } from "@/components/console/page-header";
import { requirePermission } from "@/components/console/require-permission";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { formatDateTime } from "@/lib/format";
import { getServerApi } from "@/trpc/server";
import { EndpointActions, ReplayDeliveryButton, RevealSecret } from "./endpoint-actions";

const statusVariant = { delivered: "success", pending: "warning", failed: "destructive" } as const;

/** One endpoint: settings, secret, and its delivery log (each attempt's request, response and duration) with replay. */
export default async function WebhookEndpointPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<{ status?: string; before?: string }> }) {
  await requirePermission("webhooks.manage");
  const { id } = await params;
  const query = await searchParams;
  const api = await getServerApi();
  const endpoint = await api.webhookEndpoint.get({ id }).catch((error: unknown) => {
    if (error instanceof TRPCError && (error.code === "NOT_FOUND" || error.code === "BAD_REQUEST")) notFound();
    throw error;
  });
  const status = query.status === "pending" || query.status === "delivered" || query.status === "failed" ? query.status : undefined;
  const [beforeAt, beforeId] = (query.before ?? "").split("|");
  const before = beforeAt && beforeId && !Number.isNaN(new Date(beforeAt).getTime()) ? { createdAt: new Date(beforeAt), id: beforeId } : undefined;
  const deliveries = await api.webhookEndpoint.deliveries({ endpointId: id, status, limit: 20, before });
  const filterHref = (value?: string) => `/admin/webhook-endpoints/${id}${value ? `?status=${value}` : ""}`;
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
      <Card>
        <CardHeader className="flex flex-row flex-wrap items-center justify-between gap-2">
          <CardTitle>Delivery log</CardTitle>
          <nav className="flex gap-3 text-sm" aria-label="Filter deliveries">
            {[undefined, "pending", "delivered", "failed"].map((value) => (
              <Link key={value ?? "all"} href={filterHref(value)} className={value === status ? "font-medium underline" : "text-muted-foreground hover:underline"} aria-current={value === status ? "page" : undefined}>
                {value ?? "all"}
              </Link>
            ))}
          </nav>
        </CardHeader>
        <CardContent className="flex flex-col gap-3" data-testid="delivery-log">
          {deliveries.items.length === 0 ? <p className="text-sm text-muted-foreground">No deliveries{status ? ` ${status}` : ""} yet.</p> : null}
          {deliveries.items.map((delivery) => (
            <details key={delivery.id} className="rounded-md border p-3" data-testid="delivery">
              <summary className="flex cursor-pointer flex-wrap items-center gap-3 text-sm">
                <Badge variant={statusVariant[delivery.status]}>{delivery.status}</Badge>
                <span className="font-mono text-xs">{delivery.eventType}</span>
                <span className="text-muted-foreground">{formatDateTime(delivery.createdAt)}</span>
                <span className="text-muted-foreground">
                  {delivery.attempts} attempt{delivery.attempts === 1 ? "" : "s"}
                  {delivery.lastStatusCode ? `, last HTTP ${delivery.lastStatusCode}` : delivery.lastError ? `, last: ${delivery.lastError}` : ""}
                  {delivery.status === "pending" && delivery.attempts > 0 ? `, next ${formatDateTime(delivery.nextAttemptAt)}` : ""}
                </span>
              </summary>
              <div className="mt-3 flex flex-col gap-3 text-xs">
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
                      {formatDateTime(attempt.attemptedAt)} · {attempt.trigger === "replay" ? `replay by ${attempt.actorId ?? "?"}` : "automatic"} ·{" "}
                      {attempt.statusCode ? `HTTP ${attempt.statusCode}` : (attempt.error ?? "no answer")} · {attempt.durationMs.toLocaleString("en-US")} ms
                    </p>
                    <pre className="overflow-auto rounded bg-muted p-2">{Object.entries(attempt.requestHeaders).map(([name, value]) => `${name}: ${value}`).join("\n")}</pre>
                    {attempt.responseBody ? <pre className="mt-1 max-h-40 overflow-auto rounded bg-muted p-2">{attempt.responseBody}</pre> : null}
                  </div>
                ))}
              </div>
            </details>
          ))}
          {deliveries.next ? (
            <Link className="text-sm underline" href={`/admin/webhook-endpoints/${id}?${new URLSearchParams({ ...(status ? { status } : {}), before: `${deliveries.next.createdAt.toISOString()}|${deliveries.next.id}` })}`}>
              Older deliveries
            </Link>
          ) : null}
        </CardContent>
      </Card>
    </div>
  );
}
