import { and, eq, sql, type SQL } from "drizzle-orm";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";
import { webhookEndpoints, type WebhookEndpoint } from "@/db/schema";
import { keysetPage, keysetPlan, type KeysetDirection, type KeysetSort } from "@/server/lib/keyset";
import { describeEndpoint, type WebhookEndpointSummary } from "./manage-webhook-endpoints";
import { escapeLike } from "@/server/lib/like-pattern";

export const endpointSortKeys = ["created", "url"] as const;
export type EndpointSortKey = (typeof endpointSortKeys)[number];
/** `failing`: enabled, but every delivery has failed since `failing_since`. */
export const endpointStates = ["enabled", "failing", "disabled"] as const;

export type ListWebhookEndpointsViewInput = {
  /** Part of the URL or description, any case. */
  search?: string;
  state?: (typeof endpointStates)[number];
  /** Default `created` descending (newest first). */
  sort?: EndpointSortKey;
  direction?: KeysetDirection;
  cursor?: string;
  limit: number;
};

const rowsMax = 1000;

const sorts: Record<EndpointSortKey, KeysetSort> = {
  created: { expression: sql`${webhookEndpoints.createdAt}`, type: "timestamptz" },
  url: { expression: sql`${webhookEndpoints.url}`, type: "text" },
};

/** Delivery counts of the given endpoints only (one index range per endpoint). */
async function deliveryCounts(db: Db, endpointIds: string[]) {
  if (endpointIds.length === 0) return new Map<string, { pending: number; delivered: number; failed: number; lastDeliveredAt: Date | null }>();
  const rows = await executeRows<{ endpoint_id: string; pending: number; delivered: number; failed: number; last_delivered_at: string | null }>(
    db,
    sql`select endpoint_id, count(*) filter (where status = 'pending')::int as pending, count(*) filter (where status = 'delivered')::int as delivered,
          count(*) filter (where status = 'failed')::int as failed, max(delivered_at)::text as last_delivered_at
        from webhook_deliveries where endpoint_id = any(${`{${endpointIds.join(",")}}`}::uuid[]) group by endpoint_id`,
  );
  return new Map(rows.map((row) => [row.endpoint_id, { pending: Number(row.pending), delivered: Number(row.delivered), failed: Number(row.failed), lastDeliveredAt: row.last_delivered_at ? new Date(row.last_delivered_at) : null }]));
}

/** The console's webhook endpoints: newest first or by URL, filtered by state and URL, keyset-paged on `(sort, id)`, with the page's delivery counts. */
export async function listWebhookEndpointsView(db: Db, input: ListWebhookEndpointsViewInput): Promise<{ items: WebhookEndpointSummary[]; nextCursor: string | null }> {
  const limit = Math.min(Math.max(1, input.limit), rowsMax);
  const sortKey = input.sort ?? "created";
  const direction = input.direction ?? (input.sort ? "asc" : "desc");
  const plan = keysetPlan({ sortKey, sort: sorts[sortKey], direction, id: sql`${webhookEndpoints.id}`, idType: "uuid", cursor: input.cursor });
  const filters: SQL[] = [];
  const search = input.search?.trim();
  if (search) filters.push(sql`(${webhookEndpoints.url} ilike ${`%${escapeLike(search)}%`} or ${webhookEndpoints.description} ilike ${`%${escapeLike(search)}%`})`);
  if (input.state === "disabled") filters.push(eq(webhookEndpoints.status, "disabled"));
  if (input.state === "enabled") filters.push(sql`${webhookEndpoints.status} = 'enabled' and ${webhookEndpoints.failingSince} is null`);
  if (input.state === "failing") filters.push(sql`${webhookEndpoints.status} = 'enabled' and ${webhookEndpoints.failingSince} is not null`);
  if (plan.where) filters.push(plan.where);
  const rows = await db
    .select({ endpoint: webhookEndpoints, cursorValue: sql<string>`(${sorts[sortKey].expression})::text` })
    .from(webhookEndpoints)
    .where(filters.length > 0 ? and(...filters) : undefined)
    .orderBy(...plan.orderBy)
    .limit(limit + 1);
  const page = keysetPage(rows, limit, { sortKey, direction, key: (row) => ({ value: row.cursorValue, id: row.endpoint.id }) });
  const counts = await deliveryCounts(db, page.items.map((row) => row.endpoint.id));
  const items = page.items.map(({ endpoint }) => ({ ...describeEndpoint(endpoint), ...(counts.get(endpoint.id) ?? { pending: 0, delivered: 0, failed: 0, lastDeliveredAt: null }) }));
  return { items, nextCursor: page.nextCursor };
}

/** Endpoints Tally disabled because every delivery failed for three days: each gets an alert (they are rare, and each needs a person). */
export async function listAutoDisabledEndpoints(db: Db): Promise<Pick<WebhookEndpoint, "id" | "url" | "disabledReason">[]> {
  return db
    .select({ id: webhookEndpoints.id, url: webhookEndpoints.url, disabledReason: webhookEndpoints.disabledReason })
    .from(webhookEndpoints)
    .where(sql`${webhookEndpoints.status} = 'disabled' and ${webhookEndpoints.disabledReason} like 'Every delivery failed%'`)
    .orderBy(webhookEndpoints.disabledAt);
}
