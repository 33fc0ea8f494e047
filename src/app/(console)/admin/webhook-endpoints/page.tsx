import Link from "next/link";
import { PageHeader } from "@/components/console/page-header";
import { requirePermission } from "@/components/console/require-permission";
import { Alert } from "@/components/ui/alert";
import { loadView, parseView, type UrlParams } from "@/server/api/lists/list-view";
import { webhookEndpointsView } from "@/server/api/lists/webhook-lists";
import { webhookEventTypes } from "@/server/webhooks/webhook-event-types";
import { getServerApi } from "@/trpc/server";
import { CreateWebhookEndpointForm } from "./create-webhook-endpoint-form";
import { WebhookEndpointsTable } from "./webhook-endpoints-table";

/** Admin → Webhooks out: where the product hears about billing changes. */
export default async function WebhookEndpointsPage({ searchParams }: { searchParams: Promise<UrlParams> }) {
  await requirePermission("webhooks.manage");
  const view = parseView(webhookEndpointsView, await searchParams);
  const input = view.ok ? view.input : webhookEndpointsView.parse({});
  const api = await getServerApi();
  const [{ page, error }, disabled] = await Promise.all([loadView(input, (next) => api.webhookEndpoint.listView({ ...next, limit: 50 })), api.webhookEndpoint.autoDisabled()]);
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
      <WebhookEndpointsTable
        rows={page.items}
        nextCursor={page.nextCursor}
        eventTypeCount={webhookEventTypes.length}
        error={view.ok ? error : `${view.message} (showing every endpoint)`}
        emptyMessage={input.search || input.state ? "No endpoint matches this view." : "No endpoints yet: register the product's first one below."}
      />
      <CreateWebhookEndpointForm eventTypes={webhookEventTypes} />
    </div>
  );
}
