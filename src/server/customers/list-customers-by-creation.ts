import { and, desc, eq, isNotNull, isNull, lt, or, sql, type SQL } from "drizzle-orm";
import type { Db } from "@/db/client";
import { customers, type Customer, type CustomerKind } from "@/db/schema";
import { DomainError } from "@/server/errors";

export type ListCustomersByCreationInput = {
  limit: number;
  /** The id of the last customer of the previous page. */
  startingAfter?: string;
  email?: string;
  kind?: CustomerKind;
  /** false (default): live customers only; true: archived only. */
  archived?: boolean;
};

/** Newest first, keyset-paged on (created_at, id) (the API's lists, as Stripe orders them). */
export async function listCustomersByCreation(db: Db, input: ListCustomersByCreationInput): Promise<{ items: Customer[]; hasMore: boolean }> {
  const limit = Math.min(Math.max(1, input.limit), 100);
  const filters: SQL[] = [input.archived ? isNotNull(customers.archivedAt) : isNull(customers.archivedAt)];
  if (input.email) filters.push(sql`lower(${customers.email}) = lower(${input.email})`);
  if (input.kind) filters.push(eq(customers.kind, input.kind));
  if (input.startingAfter) {
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(input.startingAfter);
    const [cursor] = uuid ? await db.select({ createdAt: customers.createdAt, id: customers.id }).from(customers).where(eq(customers.id, input.startingAfter)) : [];
    if (!cursor) throw new DomainError("invalid", "invalid_cursor", "`starting_after` must be the id of a customer from the previous page.", undefined, { param: "starting_after" });
    filters.push(or(lt(customers.createdAt, cursor.createdAt), and(eq(customers.createdAt, cursor.createdAt), lt(customers.id, cursor.id)))!);
  }
  const rows = await db
    .select()
    .from(customers)
    .where(and(...filters))
    .orderBy(desc(customers.createdAt), desc(customers.id))
    .limit(limit + 1);
  return { items: rows.slice(0, limit), hasMore: rows.length > limit };
}
