import { TRPCError } from "@trpc/server";
import Link from "next/link";
import { PageHeader } from "@/components/console/page-header";
import { requirePermission } from "@/components/console/require-permission";
import { stripeWebhookEventStatuses } from "@/db/schema";
import { loadView, parseView, type UrlParams } from "@/server/api/lists/list-view";
import { webhookEventsView } from "@/server/api/lists/webhook-lists";
import { getServerApi } from "@/trpc/server";
import { WebhookEventsTable } from "./webhook-events-table";

export default async function WebhooksPage({ searchParams }: { searchParams: Promise<UrlParams> }) {
  await requirePermission("stripe.admin");
  const view = parseView(webhookEventsView, await searchParams);
  const input = view.ok ? view.input : webhookEventsView.parse({});
  const api = await getServerApi();
  // The customer filter comes from the customer page's link: show whose events these are, by name.
  const customer = input.customer ? await api.customer.get({ id: input.customer }).catch((error: unknown) => (error instanceof TRPCError && error.code === "NOT_FOUND" ? null : Promise.reject(error))) : undefined;
  const [{ page, error }, types] = await Promise.all([loadView(input, (next) => api.stripe.listEventsView({ ...next, limit: 50 })), api.stripe.eventTypes()]);
  const refused = !view.ok ? `${view.message} (showing every event)` : customer === null ? "The link's customer does not exist, so no event is theirs." : error;
  return (
    <div className="flex flex-col gap-8">
      <PageHeader title="Stripe webhooks" description="The webhook inbox (events waiting, failing or parked) and outbound writes Stripe refused." />
      <section>
        <h2 className="mb-2 text-lg font-medium">Events received</h2>
        {customer ? (
          <p className="mb-3 text-sm" data-testid="webhook-events-customer">
            Events of{" "}
            <Link href={`/customers/${customer.id}`} className="font-medium underline-offset-4 hover:underline">
              {customer.name}
            </Link>{" "}
            only.{" "}
            <Link href="/admin/webhooks" className="underline underline-offset-4">
              Show every customer&apos;s events
            </Link>
          </p>
        ) : null}
        <WebhookEventsTable
          rows={page.items}
          nextCursor={page.nextCursor}
          statuses={stripeWebhookEventStatuses}
          types={types}
          error={refused}
          emptyMessage={
            input.search || input.status || input.type ? "No event matches this view." : customer ? `No Stripe event about ${customer.name} has arrived yet.` : "No Stripe event has arrived yet."
          }
        />
      </section>
      <section>
        <h2 className="mb-2 text-lg font-medium">Outbound sync failures</h2>
        <p className="text-sm">
          <Link href="/admin/webhooks/sync-failures" className="underline underline-offset-4" data-testid="sync-failures-link">
            Writes Stripe refused for good
          </Link>
          <span className="text-muted-foreground">: every one, filtered by operation and object, exported as CSV.</span>
        </p>
      </section>
    </div>
  );
}
