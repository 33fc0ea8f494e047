import { and, eq, sql, type SQL } from "drizzle-orm";
import type { Db } from "@/db/client";
import { customers, invoices, type InvoiceKind, type InvoiceStatus } from "@/db/schema";
import { keysetPage, keysetPlan, type KeysetDirection, type KeysetSort } from "@/server/lib/keyset";
import { invoiceSummaryColumns, type InvoiceSummary } from "./list-invoices";

export const invoiceSortKeys = ["issued", "number", "total", "period", "status"] as const;
export type InvoiceSortKey = (typeof invoiceSortKeys)[number];

export type ListInvoicesViewInput = {
  status?: InvoiceStatus;
  kind?: InvoiceKind;
  customerId?: string;
  /** An invoice number (`TLY-000123`) or its start; matched from the beginning. */
  number?: string;
  /** Default `issued` descending (newest first). */
  sort?: InvoiceSortKey;
  direction?: KeysetDirection;
  cursor?: string;
  limit: number;
};

const rowsMax = 1000;

const sorts: Record<InvoiceSortKey, KeysetSort> = {
  issued: { expression: sql`${invoices.issuedAt}`, type: "timestamptz" },
  // Drafts have no number yet: they sort as '' (first ascending).
  number: { expression: sql`coalesce(${invoices.number}, '')`, type: "text" },
  total: { expression: sql`${invoices.totalMicros}`, type: "bigint" },
  period: { expression: sql`${invoices.periodStart}`, type: "timestamptz" },
  status: { expression: sql`${invoices.status}`, type: "text" },
};

/**
 * The console's invoice list: any sort, filters by status, kind, customer and number, keyset-paged
 * on `(sort, id)` with an index per sort and per `(status | kind, sort, id)` (migration
 * `*_list_indexes.sql`), so the first page of 5,000,000 invoices reads about a page of rows.
 * (The public API keeps `listInvoices` and its `issuedAt|id` cursors.)
 */
export async function listInvoicesView(db: Db, input: ListInvoicesViewInput): Promise<{ items: InvoiceSummary[]; nextCursor: string | null }> {
  const limit = Math.min(Math.max(1, input.limit), rowsMax);
  const sortKey = input.sort ?? "issued";
  const direction = input.direction ?? (input.sort ? "asc" : "desc");
  // A status (or kind) filter with an index `(filter, sort, id)` (migration *_list_indexes.sql) is applied by keysetPlan so that index is read.
  const fixedBy = input.status ? "status" : input.kind && !input.status && sortKey === "issued" ? "kind" : undefined;
  const fixed =
    fixedBy === "status" ? { column: sql`${invoices.status}`, value: input.status! } : fixedBy === "kind" ? { column: sql`${invoices.kind}`, value: input.kind! } : undefined;
  const plan = keysetPlan({ sortKey, sort: sorts[sortKey], direction, id: sql`${invoices.id}`, idType: "uuid", cursor: input.cursor, fixed });
  const filters: SQL[] = [];
  if (input.status && fixedBy !== "status") filters.push(eq(invoices.status, input.status));
  if (input.kind && fixedBy !== "kind") filters.push(eq(invoices.kind, input.kind));
  if (input.customerId) filters.push(eq(invoices.customerId, input.customerId));
  const number = input.number?.trim().toUpperCase();
  if (number) filters.push(sql`${invoices.number} like ${`${number.replace(/[\\%_]/g, (character) => `\\${character}`)}%`}`);
  if (plan.where) filters.push(plan.where);
  const rows = await db
    .select({
      ...invoiceSummaryColumns,
      cursorValue: sql<string>`(${sorts[sortKey].expression})::text`,
    })
    .from(invoices)
    .innerJoin(customers, eq(customers.id, invoices.customerId))
    .where(filters.length > 0 ? and(...filters) : undefined)
    .orderBy(...plan.orderBy)
    .limit(limit + 1);
  const page = keysetPage(rows, limit, { sortKey, direction, key: (row) => ({ value: row.cursorValue, id: row.id }) });
  return { items: page.items.map(({ cursorValue: _cursorValue, ...row }) => row), nextCursor: page.nextCursor };
}
