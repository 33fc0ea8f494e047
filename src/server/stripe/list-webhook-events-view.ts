import { and, eq, inArray, sql, type SQL } from "drizzle-orm";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";
import { stripeCustomers, stripeWebhookEvents, type stripeWebhookEventStatuses } from "@/db/schema";
import { keysetPage, keysetPlan, type KeysetDirection, type KeysetSort } from "@/server/lib/keyset";
import type { WebhookEventSummary } from "./list-webhook-events";

export const webhookEventSortKeys = ["received", "created"] as const;
export type WebhookEventSortKey = (typeof webhookEventSortKeys)[number];

export type ListWebhookEventsViewInput = {
  /** An event id (`evt_…`) or its start. */
  search?: string;
  status?: (typeof stripeWebhookEventStatuses)[number];
  type?: string;
  /** A Tally customer: the events of the Stripe customers linked to it (deleted ones too; their events stay the customer's). */
  customerId?: string;
  /** Default `received` descending (newest first). */
  sort?: WebhookEventSortKey;
  direction?: KeysetDirection;
  cursor?: string;
  limit: number;
};

const rowsMax = 1000;
/** Stripe customers one Tally customer was ever linked to (one live at a time; older ones deleted). */
const linkedStripeCustomersMax = 20;

const sorts: Record<WebhookEventSortKey, KeysetSort> = {
  received: { expression: sql`${stripeWebhookEvents.receivedAt}`, type: "timestamptz" },
  created: { expression: sql`${stripeWebhookEvents.created}`, type: "timestamptz" },
};

/**
 * Every Stripe event received, for the console: by time received or Stripe's own creation time,
 * filtered by customer, status, type or event id, keyset-paged on `(sort, id)`. A customer linked
 * to one Stripe customer (the usual case) reads its `(stripe_customer_id, sort, id)` index; a status
 * or type filter reads its `(status | type, received_at, id)` index.
 */
export async function listWebhookEventsView(db: Db, input: ListWebhookEventsViewInput): Promise<{ items: WebhookEventSummary[]; nextCursor: string | null }> {
  const limit = Math.min(Math.max(1, input.limit), rowsMax);
  const sortKey = input.sort ?? "received";
  const direction = input.direction ?? (input.sort ? "asc" : "desc");
  const stripeCustomerIds = input.customerId ? await linkedStripeCustomerIds(db, input.customerId) : undefined;
  if (stripeCustomerIds?.length === 0) return { items: [], nextCursor: null };
  const onlyStripeCustomer = stripeCustomerIds?.length === 1 ? stripeCustomerIds[0] : undefined;
  const fixedBy = onlyStripeCustomer ? "customer" : sortKey !== "received" ? undefined : input.status ? "status" : input.type ? "type" : undefined;
  const fixed =
    fixedBy === "customer"
      ? { column: sql`${stripeWebhookEvents.stripeCustomerId}`, value: onlyStripeCustomer! }
      : fixedBy === "status"
        ? { column: sql`${stripeWebhookEvents.status}`, value: input.status! }
        : fixedBy === "type"
          ? { column: sql`${stripeWebhookEvents.type}`, value: input.type! }
          : undefined;
  const plan = keysetPlan({ sortKey, sort: sorts[sortKey], direction, id: sql`${stripeWebhookEvents.id}`, idType: "text", cursor: input.cursor, fixed });
  const filters: SQL[] = [];
  if (stripeCustomerIds && !onlyStripeCustomer) filters.push(inArray(stripeWebhookEvents.stripeCustomerId, stripeCustomerIds));
  if (input.status && fixedBy !== "status") filters.push(eq(stripeWebhookEvents.status, input.status));
  if (input.type && fixedBy !== "type") filters.push(eq(stripeWebhookEvents.type, input.type));
  const search = input.search?.trim();
  if (search) filters.push(sql`${stripeWebhookEvents.id} like ${`${search.replace(/[\\%_]/g, (character) => `\\${character}`)}%`}`);
  if (plan.where) filters.push(plan.where);
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
      cursorValue: sql<string>`(${sorts[sortKey].expression})::text`,
    })
    .from(stripeWebhookEvents)
    .where(filters.length > 0 ? and(...filters) : undefined)
    .orderBy(...plan.orderBy)
    .limit(limit + 1);
  const page = keysetPage(rows, limit, { sortKey, direction, key: (row) => ({ value: row.cursorValue, id: row.id }) });
  return { items: page.items.map(({ cursorValue: _cursorValue, ...row }) => row), nextCursor: page.nextCursor };
}

async function linkedStripeCustomerIds(db: Db, customerId: string): Promise<string[]> {
  const rows = await db.select({ stripeId: stripeCustomers.stripeId }).from(stripeCustomers).where(eq(stripeCustomers.customerId, customerId)).orderBy(stripeCustomers.stripeId).limit(linkedStripeCustomersMax);
  return rows.map((row) => row.stripeId);
}

/** The event types received, for the filter: a skip scan of the `(type, received_at, id)` index. */
export async function listWebhookEventTypes(db: Db): Promise<string[]> {
  const rows = await executeRows<{ value: string }>(
    db,
    sql`with recursive skip as (
          (select type as value from stripe_webhook_events order by type limit 1)
          union all
          select (select type from stripe_webhook_events where type > skip.value order by type limit 1) from skip where skip.value is not null)
        select value from skip where value is not null limit 200`,
  );
  return rows.map((row) => row.value);
}
