import { PageHeader } from "@/components/console/page-header";
import { requirePermission } from "@/components/console/require-permission";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { stripeWebhookEventStatuses } from "@/db/schema";
import { formatDateTime } from "@/lib/format";
import { loadView, parseView, type UrlParams } from "@/server/api/lists/list-view";
import { webhookEventsView } from "@/server/api/lists/webhook-lists";
import { getServerApi } from "@/trpc/server";
import { WebhookEventsTable } from "./webhook-events-table";

const syncFailuresShown = 50;

export default async function WebhooksPage({ searchParams }: { searchParams: Promise<UrlParams> }) {
  await requirePermission("stripe.admin");
  const view = parseView(webhookEventsView, await searchParams);
  const input = view.ok ? view.input : webhookEventsView.parse({});
  const api = await getServerApi();
  const [{ page, error }, types, failures] = await Promise.all([
    loadView(input, (next) => api.stripe.listEventsView({ ...next, limit: 50 })),
    api.stripe.eventTypes(),
    api.stripe.listSyncFailures({ limit: syncFailuresShown + 1 }),
  ]);
  return (
    <div className="flex flex-col gap-8">
      <PageHeader title="Stripe webhooks" description="The webhook inbox (events waiting, failing or parked) and outbound writes Stripe refused." />
      <section>
        <h2 className="mb-2 text-lg font-medium">Events received</h2>
        <WebhookEventsTable
          rows={page.items}
          nextCursor={page.nextCursor}
          statuses={stripeWebhookEventStatuses}
          types={types}
          error={view.ok ? error : `${view.message} (showing every event)`}
          emptyMessage={input.search || input.status || input.type ? "No event matches this view." : "No Stripe event has arrived yet."}
        />
      </section>
      <section>
        <h2 className="mb-2 text-lg font-medium">Outbound sync failures</h2>
        {failures.length > syncFailuresShown ? <p className="mb-2 text-sm text-muted-foreground">Only the newest {syncFailuresShown} are shown here; older ones are in the stripe_sync_failures table.</p> : null}
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
                {failures.slice(0, syncFailuresShown).map((failure) => (
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
