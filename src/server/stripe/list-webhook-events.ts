import { and, desc, eq, inArray, lt, or, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { stripeCustomers, stripeWebhookEvents, stripeWebhookEventStatuses } from "@/db/schema";

export const listWebhookEventsInput = z.object({
  statuses: z.array(z.enum(stripeWebhookEventStatuses)).max(4).optional(),
  customerId: z.uuid().optional(),
  limit: z.number().int().min(1).max(200).default(50),
  /** `received_at` ISO of the last row of the previous page, then its id. */
  cursor: z.object({ receivedAt: z.date(), id: z.string().max(255) }).optional(),
});
export type ListWebhookEventsInput = z.input<typeof listWebhookEventsInput>;

export type WebhookEventSummary = {
  id: string;
  type: string;
  created: Date;
  receivedAt: Date;
  status: (typeof stripeWebhookEventStatuses)[number];
  attempts: number;
  lastError: string | null;
  nextAttemptAt: Date;
  processedAt: Date | null;
  stripeCustomerId: string | null;
};

/** Inbox rows, newest first, optionally by status or by Tally customer (through its Stripe customers). */
export async function listWebhookEvents(db: Db, rawInput: ListWebhookEventsInput): Promise<{ items: WebhookEventSummary[]; nextCursor: { receivedAt: Date; id: string } | null }> {
  const input = listWebhookEventsInput.parse(rawInput);
  const conditions: SQL[] = [];
  if (input.statuses && input.statuses.length > 0) conditions.push(inArray(stripeWebhookEvents.status, input.statuses));
  if (input.customerId) {
    const linked = await db.select({ stripeId: stripeCustomers.stripeId }).from(stripeCustomers).where(eq(stripeCustomers.customerId, input.customerId)).limit(20);
    if (linked.length === 0) return { items: [], nextCursor: null };
    conditions.push(inArray(stripeWebhookEvents.stripeCustomerId, linked.map((row) => row.stripeId)));
  }
  if (input.cursor) {
    const cursorCondition = or(
      lt(stripeWebhookEvents.receivedAt, input.cursor.receivedAt),
      and(eq(stripeWebhookEvents.receivedAt, input.cursor.receivedAt), lt(stripeWebhookEvents.id, input.cursor.id)),
    );
    if (cursorCondition) conditions.push(cursorCondition);
  }
  const rows = await db
    .select({
      id: stripeWebhookEvents.id,
      type: stripeWebhookEvents.type,
      created: stripeWebhookEvents.created,
      receivedAt: stripeWebhookEvents.receivedAt,
      status: stripeWebhookEvents.status,
      attempts: stripeWebhookEvents.attempts,
      lastError: stripeWebhookEvents.lastError,
      nextAttemptAt: stripeWebhookEvents.nextAttemptAt,
      processedAt: stripeWebhookEvents.processedAt,
      stripeCustomerId: stripeWebhookEvents.stripeCustomerId,
    })
    .from(stripeWebhookEvents)
    .where(conditions.length > 0 ? and(...conditions) : undefined)
    .orderBy(desc(stripeWebhookEvents.receivedAt), desc(stripeWebhookEvents.id))
    .limit(input.limit + 1);
  const items = rows.slice(0, input.limit);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > input.limit && last ? { receivedAt: last.receivedAt, id: last.id } : null };
}
