import { sql, type SQL } from "drizzle-orm";
import type { Db } from "@/db/client";
import { keysetPage, keysetPlan, type KeysetDirection, type KeysetSort } from "@/server/lib/keyset";
import { readPayments, toPayment, type Payment } from "./list-payments";

export const customerPaymentSortKeys = ["created", "amount"] as const;
export type CustomerPaymentSortKey = (typeof customerPaymentSortKeys)[number];
export const paymentStatuses = ["succeeded", "pending", "failed"] as const;

export type ListCustomerPaymentsViewInput = {
  customerId: string;
  status?: (typeof paymentStatuses)[number];
  /** Default `created` descending (newest first). */
  sort?: CustomerPaymentSortKey;
  direction?: KeysetDirection;
  cursor?: string;
  limit: number;
};

const rowsMax = 1000;

const sorts: Record<CustomerPaymentSortKey, KeysetSort> = {
  created: { expression: sql`c.stripe_created`, type: "timestamptz" },
  /** In the charge's minor units, as Stripe keeps them. */
  amount: { expression: sql`c.amount`, type: "bigint" },
};

/**
 * Every charge of one customer (the customer page shows the newest 20), by time or amount,
 * filtered by status, keyset-paged on `(customer, sort, charge id)` through the indexes of the
 * same columns; each with its card, failure reason, refunds and the invoice it paid.
 */
export async function listCustomerPaymentsView(db: Db, input: ListCustomerPaymentsViewInput): Promise<{ items: Payment[]; nextCursor: string | null }> {
  const limit = Math.min(Math.max(1, input.limit), rowsMax);
  const sortKey = input.sort ?? "created";
  const direction = input.direction ?? (input.sort ? "asc" : "desc");
  const plan = keysetPlan({
    sortKey,
    sort: sorts[sortKey],
    direction,
    id: sql`c.stripe_id`,
    idType: "text",
    cursor: input.cursor,
    fixed: { column: sql`c.customer_id`, value: input.customerId },
  });
  const conditions: SQL[] = [];
  if (input.status) conditions.push(sql`c.status = ${input.status}`);
  if (plan.where) conditions.push(plan.where);
  const rows = await readPayments(db, conditions, plan.orderBy, limit + 1, sorts[sortKey].expression);
  const page = keysetPage(rows, limit, { sortKey, direction, key: (row) => ({ value: row.cursor_value ?? "", id: row.stripe_id }) });
  return { items: page.items.map(toPayment), nextCursor: page.nextCursor };
}
