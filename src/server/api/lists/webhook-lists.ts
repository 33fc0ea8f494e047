import { z } from "zod";
import { stripeWebhookEventStatuses, webhookDeliveryStatuses, type StripeSyncFailureRow } from "@/db/schema";
import { listSyncFailuresView, syncFailureSortKeys } from "@/server/stripe/list-sync-failures-view";
import type { WebhookEventSummary } from "@/server/stripe/list-webhook-events";
import { listWebhookEventsView, webhookEventSortKeys } from "@/server/stripe/list-webhook-events-view";
import type { WebhookDeliveryView } from "@/server/webhooks/list-webhook-deliveries";
import { deliverySortKeys, listWebhookDeliveriesView } from "@/server/webhooks/list-webhook-deliveries-view";
import { endpointSortKeys, endpointStates, listWebhookEndpointsView } from "@/server/webhooks/list-webhook-endpoints-view";
import type { WebhookEndpointSummary } from "@/server/webhooks/manage-webhook-endpoints";
import type { ListExport } from "./export-list";

/** URL view of the Stripe events received: `q` is an event id or its start; `customer` a Tally customer id (set by the customer page's link). */
export const webhookEventsView = z.object({
  search: z.string().trim().max(255).optional(),
  customer: z.uuid().optional(),
  status: z.enum(stripeWebhookEventStatuses).optional(),
  type: z.string().trim().min(1).max(200).optional(),
  sort: z.enum(webhookEventSortKeys).optional(),
  direction: z.enum(["asc", "desc"]).optional(),
  cursor: z.string().max(1000).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(50),
});

export const webhookEventsExport: ListExport<z.infer<typeof webhookEventsView>, WebhookEventSummary> = {
  permission: "stripe.admin",
  filename: "stripe-webhook-events",
  schema: webhookEventsView,
  list: (db, input) => listWebhookEventsView(db, { ...input, customerId: input.customer }),
  columns: [
    { label: "Event", value: (row) => row.id },
    { label: "Type", value: (row) => row.type },
    { label: "Status", value: (row) => row.status },
    { label: "Attempts", value: (row) => row.attempts },
    { label: "Last error", value: (row) => row.lastError },
    { label: "Created at Stripe", value: (row) => row.created },
    { label: "Received", value: (row) => row.receivedAt },
    { label: "Processed", value: (row) => row.processedAt },
    { label: "Next attempt", value: (row) => (row.status === "pending" || row.status === "failed" ? row.nextAttemptAt : null) },
    { label: "Stripe customer", value: (row) => row.stripeCustomerId },
  ],
};

/** URL view of one endpoint's deliveries: `endpoint` is the endpoint id (the page's path, the export's parameter). */
export const webhookDeliveriesView = z.object({
  endpoint: z.uuid(),
  status: z.enum(webhookDeliveryStatuses).optional(),
  sort: z.enum(deliverySortKeys).optional(),
  direction: z.enum(["asc", "desc"]).optional(),
  cursor: z.string().max(1000).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(20),
});
type WebhookDeliveriesView = z.infer<typeof webhookDeliveriesView>;

export const webhookDeliveriesExport: ListExport<WebhookDeliveriesView, WebhookDeliveryView> = {
  permission: "webhooks.manage",
  filename: "webhook-deliveries",
  schema: webhookDeliveriesView,
  list: (db, input) => listWebhookDeliveriesView(db, { ...input, endpointId: input.endpoint }),
  columns: [
    { label: "Delivery", value: (row) => row.id },
    { label: "Webhook id", value: (row) => row.eventId },
    { label: "Event type", value: (row) => row.eventType },
    { label: "Status", value: (row) => row.status },
    { label: "Attempts", value: (row) => row.attempts },
    { label: "Last HTTP status", value: (row) => row.lastStatusCode },
    { label: "Last error", value: (row) => row.lastError },
    { label: "Created", value: (row) => row.createdAt },
    { label: "Delivered", value: (row) => row.deliveredAt },
  ],
};

/** URL view of the webhook endpoints: `q` is part of a URL or description. */
export const webhookEndpointsView = z.object({
  search: z.string().trim().max(200).optional(),
  state: z.enum(endpointStates).optional(),
  sort: z.enum(endpointSortKeys).optional(),
  direction: z.enum(["asc", "desc"]).optional(),
  cursor: z.string().max(1000).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(50),
});

export const webhookEndpointsExport: ListExport<z.infer<typeof webhookEndpointsView>, WebhookEndpointSummary> = {
  permission: "webhooks.manage",
  filename: "webhook-endpoints",
  schema: webhookEndpointsView,
  list: listWebhookEndpointsView,
  columns: [
    { label: "URL", value: (row) => row.url },
    { label: "Description", value: (row) => row.description },
    { label: "Events", value: (row) => row.eventTypes.join(" ") },
    { label: "Status", value: (row) => row.status },
    { label: "Failing since", value: (row) => row.failingSince },
    { label: "Delivered", value: (row) => row.delivered },
    { label: "Pending", value: (row) => row.pending },
    { label: "Failed", value: (row) => row.failed },
    { label: "Last delivery", value: (row) => row.lastDeliveredAt },
    { label: "Created", value: (row) => row.createdAt },
  ],
};

/** URL view of the outbound writes Stripe refused: `q` is the Tally object id or its start. */
export const syncFailuresView = z.object({
  search: z.string().trim().max(255).optional(),
  operation: z.string().trim().min(1).max(200).optional(),
  objectType: z.string().trim().min(1).max(200).optional(),
  sort: z.enum(syncFailureSortKeys).optional(),
  direction: z.enum(["asc", "desc"]).optional(),
  cursor: z.string().max(1000).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(50),
});

export const syncFailuresExport: ListExport<z.infer<typeof syncFailuresView>, StripeSyncFailureRow> = {
  permission: "stripe.admin",
  filename: "stripe-sync-failures",
  schema: syncFailuresView,
  list: listSyncFailuresView,
  columns: [
    { label: "Occurred", value: (row) => row.occurredAt },
    { label: "Operation", value: (row) => row.operation },
    { label: "Object type", value: (row) => row.objectType },
    { label: "Object id", value: (row) => row.objectId },
    { label: "HTTP status", value: (row) => row.httpStatus },
    { label: "Error type", value: (row) => row.errorType },
    { label: "Error code", value: (row) => row.errorCode },
    { label: "Stripe said", value: (row) => row.message },
    { label: "Stripe request", value: (row) => row.requestId },
    { label: "Idempotency key", value: (row) => row.idempotencyKey },
  ],
};
