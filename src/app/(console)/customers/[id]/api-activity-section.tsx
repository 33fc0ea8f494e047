import Link from "next/link";
import { Badge } from "@/components/ui/badge";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { formatDateTime } from "@/lib/format";
import { getServerApi } from "@/trpc/server";
import type { CustomerSectionProps } from "./sections";

function statusVariant(status: number) {
  if (status >= 500) return "destructive" as const;
  if (status >= 400) return "warning" as const;
  return "success" as const;
}

const deliveryVariant = { delivered: "success", pending: "warning", failed: "destructive" } as const;

/** What the product's back end asked about this customer through the API, and what Tally told it by webhook. */
export async function ApiActivitySection({ customerId }: CustomerSectionProps) {
  const api = await getServerApi();
  const activity = await api.customer.apiActivity({ customerId, limit: 15 });
  return (
    <Card data-testid="api-activity-section">
      <CardHeader>
        <CardTitle>API &amp; webhooks</CardTitle>
        <CardDescription>The product&apos;s latest API requests about this customer, and the webhook events sent about them.</CardDescription>
      </CardHeader>
      <CardContent className="flex flex-col gap-6">
        <div>
          <h3 className="mb-2 text-sm font-medium">API requests</h3>
          {activity.requests.length === 0 ? (
            <p className="text-sm text-muted-foreground">No API requests about this customer in the last 30 days.</p>
          ) : (
            <div className="overflow-x-auto rounded-md border">
              <Table data-testid="api-requests-table">
                <TableHeader>
                  <TableRow>
                    <TableHead>When</TableHead>
                    <TableHead>Request</TableHead>
                    <TableHead>Answer</TableHead>
                    <TableHead>Key</TableHead>
                    <TableHead className="text-right">Time</TableHead>
                  </TableRow>
                </TableHeader>
                <TableBody>
                  {activity.requests.map((request) => (
                    <TableRow key={request.requestId}>
                      <TableCell className="whitespace-nowrap">{formatDateTime(request.createdAt)}</TableCell>
                      <TableCell>
                        <span className="font-mono text-xs">
                          {request.method} {request.path.length > 60 ? `${request.path.slice(0, 60)}…` : request.path}
                        </span>
                        {request.replayed ? <span className="ml-2 text-xs text-muted-foreground">(idempotent replay)</span> : null}
                      </TableCell>
                      <TableCell>
                        <Badge variant={statusVariant(request.status)}>{request.status}</Badge>
                        {request.errorCode ? <span className="ml-2 font-mono text-xs">{request.errorCode}</span> : null}
                      </TableCell>
                      <TableCell className="text-xs">{request.keyName ?? "—"}</TableCell>
                      <TableCell className="text-right tabular-nums">{request.durationMs.toLocaleString("en-US")} ms</TableCell>
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
            </div>
          )}
          {activity.requests.length > 0 ? (
            <Link href={`/customers/${customerId}/api-activity`} className="mt-2 inline-block text-sm underline-offset-4 hover:underline" data-testid="all-api-activity">
              All API activity, filtered and exportable →
            </Link>
          ) : null}
        </div>
        <div>
          <h3 className="mb-2 text-sm font-medium">Webhook events</h3>
          {activity.webhooks.length === 0 ? (
            <p className="text-sm text-muted-foreground">No webhook events about this customer yet.</p>
          ) : (
            <div className="overflow-x-auto rounded-md border">
              <Table data-testid="webhook-events-table">
                <TableHeader>
                  <TableRow>
                    <TableHead>When</TableHead>
                    <TableHead>Event</TableHead>
                    <TableHead>Deliveries</TableHead>
                  </TableRow>
                </TableHeader>
                <TableBody>
                  {activity.webhooks.map((event) => (
                    <TableRow key={event.id}>
                      <TableCell className="whitespace-nowrap">{formatDateTime(event.createdAt)}</TableCell>
                      <TableCell className="font-mono text-xs">{event.type}</TableCell>
                      <TableCell>
                        {event.deliveries.length === 0 ? (
                          <span className="text-xs text-muted-foreground">no endpoint subscribed</span>
                        ) : (
                          <span className="flex flex-wrap gap-1">
                            {event.deliveries.map((delivery) => (
                              <Badge key={delivery.endpointId} variant={deliveryVariant[delivery.status]} title={delivery.endpointUrl}>
                                {delivery.status}
                                {delivery.attempts > 1 ? ` after ${delivery.attempts} attempts` : ""}
                              </Badge>
                            ))}
                          </span>
                        )}
                      </TableCell>
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
            </div>
          )}
        </div>
      </CardContent>
    </Card>
  );
}
