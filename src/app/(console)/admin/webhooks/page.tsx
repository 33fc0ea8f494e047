import { PageHeader } from "@/components/console/page-header";
import { requirePermission } from "@/components/console/require-permission";
import { Badge } from "@/components/ui/badge";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { formatDateTime } from "@/lib/format";
import { getServerApi } from "@/trpc/server";
import { ReplayButton } from "./replay-button";

const eventVariant = { pending: "secondary", processed: "outline", failed: "warning", parked: "destructive" } as const;

export default async function WebhooksPage() {
  await requirePermission("stripe.admin");
  const api = await getServerApi();
  const [pending, troubled, failures] = await Promise.all([
    api.stripe.listEvents({ statuses: ["pending"], limit: 50 }),
    api.stripe.listEvents({ statuses: ["failed", "parked"], limit: 100 }),
    api.stripe.listSyncFailures({ limit: 50 }),
  ]);
  return (
    <div className="flex flex-col gap-8">
      <PageHeader title="Stripe webhooks" description="The webhook inbox (events waiting, failing or parked) and outbound writes Stripe refused." />
      <section>
        <h2 className="mb-2 text-lg font-medium">Failed and parked ({troubled.items.length})</h2>
        {troubled.items.length === 0 ? (
          <p className="text-sm text-muted-foreground">Nothing is failing.</p>
        ) : (
          <div className="rounded-lg border">
            <Table>
              <TableHeader>
                <TableRow>
                  <TableHead>Event</TableHead>
                  <TableHead>Status</TableHead>
                  <TableHead>Attempts</TableHead>
                  <TableHead>Error</TableHead>
                  <TableHead>Next attempt</TableHead>
                  <TableHead>
                <span className="sr-only">Actions</span>
              </TableHead>
                </TableRow>
              </TableHeader>
              <TableBody data-testid="webhook-failures">
                {troubled.items.map((event) => (
                  <TableRow key={event.id}>
                    <TableCell className="font-mono text-xs">
                      {event.type}
                      <div className="text-muted-foreground">{event.id}</div>
                    </TableCell>
                    <TableCell>
                      <Badge variant={eventVariant[event.status]}>{event.status}</Badge>
                    </TableCell>
                    <TableCell>{event.attempts}</TableCell>
                    <TableCell className="max-w-md whitespace-normal text-xs">{event.lastError ?? "—"}</TableCell>
                    <TableCell className="whitespace-nowrap">{event.status === "parked" ? "—" : formatDateTime(event.nextAttemptAt)}</TableCell>
                    <TableCell className="text-right">
                      <ReplayButton eventId={event.id} eventType={event.type} />
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </div>
        )}
      </section>
      <section>
        <h2 className="mb-2 text-lg font-medium">Pending ({pending.items.length}{pending.nextCursor ? "+" : ""})</h2>
        {pending.items.length === 0 ? (
          <p className="text-sm text-muted-foreground">The inbox is empty.</p>
        ) : (
          <ul className="flex flex-col gap-1 text-sm">
            {pending.items.map((event) => (
              <li key={event.id} className="font-mono text-xs">
                {formatDateTime(event.receivedAt)} {event.type} {event.id}
              </li>
            ))}
          </ul>
        )}
      </section>
      <section>
        <h2 className="mb-2 text-lg font-medium">Outbound sync failures</h2>
        {failures.length === 0 ? (
          <p className="text-sm text-muted-foreground">Stripe has refused no write.</p>
        ) : (
          <div className="rounded-lg border">
            <Table>
              <TableHeader>
                <TableRow>
                  <TableHead>When</TableHead>
                  <TableHead>Operation</TableHead>
                  <TableHead>Object</TableHead>
                  <TableHead>Stripe said</TableHead>
                </TableRow>
              </TableHeader>
              <TableBody data-testid="sync-failures">
                {failures.map((failure) => (
                  <TableRow key={failure.id}>
                    <TableCell className="whitespace-nowrap">{formatDateTime(failure.occurredAt)}</TableCell>
                    <TableCell className="font-mono text-xs">{failure.operation}</TableCell>
                    <TableCell className="font-mono text-xs">
                      {failure.objectType}:{failure.objectId}
                    </TableCell>
                    <TableCell className="max-w-md whitespace-normal text-xs">
                      {failure.httpStatus} {failure.errorCode ?? failure.errorType}: {failure.message}
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </div>
        )}
      </section>
    </div>
  );
}
