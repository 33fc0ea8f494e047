/**
 * The events the product can subscribe to. Each event's `data.object` is the resource as the API
 * returns it (customers, subscriptions, invoices, credit grants) or a small object of its own
 * (entitlement changes, usage thresholds); `anomaly.opened` carries the anomaly as `GET /api/v1/anomalies` lists it; `data.previous_attributes` holds what changed on
 * `*.updated`.
 */
export const webhookEventTypes = [
  "customer.created",
  "customer.updated",
  "subscription.created",
  "subscription.updated",
  "subscription.canceled",
  "invoice.finalized",
  "invoice.paid",
  "invoice.payment_failed",
  "entitlement.changed",
  "usage.threshold_reached",
  "credit.granted",
  "credit.expiring",
  "anomaly.opened",
] as const;

export type WebhookEventType = (typeof webhookEventTypes)[number];

export function isWebhookEventType(value: string): value is WebhookEventType {
  return (webhookEventTypes as readonly string[]).includes(value);
}
