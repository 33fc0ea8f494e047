import { and, count, eq, sql, type SQL } from "drizzle-orm";
import type { Db } from "@/db/client";
import { customerNotes, type CustomerNote } from "@/db/schema";
import { keysetPage, keysetPlan, type KeysetDirection, type KeysetSort } from "@/server/lib/keyset";
import { escapeLike } from "@/server/lib/like-pattern";

export const customerNoteSortKeys = ["created", "author"] as const;
export type CustomerNoteSortKey = (typeof customerNoteSortKeys)[number];

export type ListCustomerNotesViewInput = {
  customerId: string;
  /** Words in the note (case-insensitive); read over this customer's notes only. */
  search?: string;
  /** The author's id (`author_id`): a user id, or `system:…` for automated notes. */
  author?: string;
  /** Default `created` descending (newest first). */
  sort?: CustomerNoteSortKey;
  direction?: KeysetDirection;
  cursor?: string;
  limit: number;
};

const rowsMax = 1000;
const authorsMax = 200;

const sorts: Record<CustomerNoteSortKey, KeysetSort> = {
  created: { expression: sql`${customerNotes.createdAt}`, type: "timestamptz" },
  author: { expression: sql`${customerNotes.authorLabel}`, type: "text" },
};

/**
 * Every note of one customer (the customer page shows the newest 20), by time or author,
 * filtered by author and by words in the note, keyset-paged on `(customer, sort, id)`. The
 * `(customer_id, created_at)` index bounds every read to the one customer's notes, which is why a
 * substring search is cheap enough here without a text index.
 */
export async function listCustomerNotesView(db: Db, input: ListCustomerNotesViewInput): Promise<{ items: CustomerNote[]; nextCursor: string | null }> {
  const limit = Math.min(Math.max(1, input.limit), rowsMax);
  const sortKey = input.sort ?? "created";
  const direction = input.direction ?? (input.sort ? "asc" : "desc");
  const plan = keysetPlan({
    sortKey,
    sort: sorts[sortKey],
    direction,
    id: sql`${customerNotes.id}`,
    idType: "uuid",
    cursor: input.cursor,
    fixed: { column: sql`${customerNotes.customerId}`, value: input.customerId },
  });
  const filters: SQL[] = [];
  if (input.author) filters.push(eq(customerNotes.authorId, input.author));
  const search = input.search?.trim();
  if (search) filters.push(sql`${customerNotes.body} ilike ${`%${escapeLike(search)}%`}`);
  if (plan.where) filters.push(plan.where);
  const rows = await db
    .select({ note: customerNotes, cursorValue: sql<string>`(${sorts[sortKey].expression})::text` })
    .from(customerNotes)
    .where(and(...filters))
    .orderBy(...plan.orderBy)
    .limit(limit + 1);
  const page = keysetPage(rows, limit, { sortKey, direction, key: (row) => ({ value: row.cursorValue, id: row.note.id }) });
  return { items: page.items.map((row) => row.note), nextCursor: page.nextCursor };
}

/** Who wrote notes on the customer, for the author filter: `author_id` and the latest label it wrote under. */
export async function listCustomerNoteAuthors(db: Db, customerId: string): Promise<{ id: string; label: string }[]> {
  const rows = await db
    .selectDistinctOn([customerNotes.authorId], { id: customerNotes.authorId, label: customerNotes.authorLabel })
    .from(customerNotes)
    .where(eq(customerNotes.customerId, customerId))
    .orderBy(customerNotes.authorId, sql`${customerNotes.createdAt} desc`)
    .limit(authorsMax);
  return rows.sort((left, right) => left.label.localeCompare(right.label));
}

/** How many notes the customer has, for the customer page's "All notes (N)". */
export async function countCustomerNotes(db: Db, customerId: string): Promise<number> {
  const [row] = await db.select({ count: count() }).from(customerNotes).where(eq(customerNotes.customerId, customerId));
  return row?.count ?? 0;
}
