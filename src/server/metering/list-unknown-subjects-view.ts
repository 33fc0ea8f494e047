import { and, sql, type SQL } from "drizzle-orm";
import type { Db } from "@/db/client";
import { customers, meteringUnknownSubjects } from "@/db/schema";
import { keysetPage, keysetPlan, type KeysetDirection, type KeysetSort } from "@/server/lib/keyset";
import type { UnknownSubjectForReview } from "./list-unknown-subjects-for-review";
import { escapeLike } from "@/server/lib/like-pattern";

export const unknownSubjectSortKeys = ["events", "subject", "first", "last"] as const;
export type UnknownSubjectSortKey = (typeof unknownSubjectSortKeys)[number];

/** `found`: a customer with the subject as external id exists now, so the events can be attached; `none`: not yet. */
export const unknownSubjectCustomerStates = ["found", "none"] as const;

export type ListUnknownSubjectsViewInput = {
  /** A subject or its start. */
  search?: string;
  customer?: (typeof unknownSubjectCustomerStates)[number];
  /** Default `events` descending (most events first). */
  sort?: UnknownSubjectSortKey;
  direction?: KeysetDirection;
  cursor?: string;
  limit: number;
};

const rowsMax = 1000;

const sorts: Record<UnknownSubjectSortKey, KeysetSort> = {
  events: { expression: sql`${meteringUnknownSubjects.events}`, type: "bigint" },
  subject: { expression: sql`${meteringUnknownSubjects.subject}`, type: "text" },
  first: { expression: sql`${meteringUnknownSubjects.firstOccurredAt}`, type: "timestamptz" },
  last: { expression: sql`${meteringUnknownSubjects.lastOccurredAt}`, type: "timestamptz" },
};

/**
 * Every subject whose events named no customer, from the per-subject counts the rollup claim keeps
 * (one row per subject, however many events): by events, subject, first or last event, keyset-paged
 * on `(sort, subject)` through each sort's index; each row with the customer created since, if any.
 */
export async function listUnknownSubjectsView(db: Db, input: ListUnknownSubjectsViewInput): Promise<{ items: UnknownSubjectForReview[]; nextCursor: string | null }> {
  const limit = Math.min(Math.max(1, input.limit), rowsMax);
  const sortKey = input.sort ?? "events";
  const direction = input.direction ?? (input.sort ? "asc" : "desc");
  const plan = keysetPlan({ sortKey, sort: sorts[sortKey], direction, id: sql`${meteringUnknownSubjects.subject}`, idType: "text", cursor: input.cursor });
  const filters: SQL[] = [];
  const search = input.search?.trim();
  if (search) filters.push(sql`${meteringUnknownSubjects.subject} like ${`${escapeLike(search)}%`}`);
  const customerExists = sql`exists (select 1 from ${customers} where ${customers.externalId} = ${meteringUnknownSubjects.subject})`;
  if (input.customer === "found") filters.push(customerExists);
  if (input.customer === "none") filters.push(sql`not ${customerExists}`);
  if (plan.where) filters.push(plan.where);
  const rows = await db
    .select({
      subject: meteringUnknownSubjects.subject,
      events: meteringUnknownSubjects.events,
      firstOccurredAt: meteringUnknownSubjects.firstOccurredAt,
      lastOccurredAt: meteringUnknownSubjects.lastOccurredAt,
      customerId: sql<string | null>`(select ${customers.id} from ${customers} where ${customers.externalId} = ${meteringUnknownSubjects.subject})`,
      customerName: sql<string | null>`(select ${customers.name} from ${customers} where ${customers.externalId} = ${meteringUnknownSubjects.subject})`,
      cursorValue: sql<string>`(${sorts[sortKey].expression})::text`,
    })
    .from(meteringUnknownSubjects)
    .where(filters.length > 0 ? and(...filters) : undefined)
    .orderBy(...plan.orderBy)
    .limit(limit + 1);
  const page = keysetPage(rows, limit, { sortKey, direction, key: (row) => ({ value: row.cursorValue, id: row.subject }) });
  return {
    items: page.items.map((row) => ({
      subject: row.subject,
      events: Number(row.events),
      firstOccurredAt: new Date(row.firstOccurredAt),
      lastOccurredAt: new Date(row.lastOccurredAt),
      customer: row.customerId && row.customerName ? { id: row.customerId, name: row.customerName } : null,
    })),
    nextCursor: page.nextCursor,
  };
}
