import { desc, eq, inArray } from "drizzle-orm";
import type { Db } from "@/db/client";
import { webhookDeliveries, webhookEndpoints, webhookEvents } from "@/db/schema";

export type CustomerWebhookEvent = {
  id: string;
  type: string;
  createdAt: Date;
  deliveries: { endpointId: string; endpointUrl: string; status: "pending" | "delivered" | "failed"; attempts: number; lastStatusCode: number | null; deliveredAt: Date | null }[];
};

/** The customer's latest webhook events (newest first, bounded), each with its deliveries per endpoint. */
export async function listCustomerWebhookEvents(db: Db, customerId: string, limit = 20): Promise<CustomerWebhookEvent[]> {
  const events = await db
    .select({ id: webhookEvents.id, type: webhookEvents.type, createdAt: webhookEvents.createdAt })
    .from(webhookEvents)
    .where(eq(webhookEvents.customerId, customerId))
    .orderBy(desc(webhookEvents.sequence))
    .limit(Math.min(Math.max(limit, 1), 100));
  if (events.length === 0) return [];
  const deliveries = await db
    .select({
      eventId: webhookDeliveries.eventId,
      endpointId: webhookDeliveries.endpointId,
      endpointUrl: webhookEndpoints.url,
      status: webhookDeliveries.status,
      attempts: webhookDeliveries.attempts,
      lastStatusCode: webhookDeliveries.lastStatusCode,
      deliveredAt: webhookDeliveries.deliveredAt,
    })
    .from(webhookDeliveries)
    .innerJoin(webhookEndpoints, eq(webhookEndpoints.id, webhookDeliveries.endpointId))
    .where(inArray(webhookDeliveries.eventId, events.map((event) => event.id)));
  return events.map((event) => ({ ...event, deliveries: deliveries.filter((delivery) => delivery.eventId === event.id).map(({ eventId: _eventId, ...rest }) => rest) }));
}
