import { and, desc, eq, lt, or, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { customers, invoices, invoiceKinds, invoiceStatuses } from "@/db/schema";
import { parseInput } from "@/server/catalog/parse-input";

export const listInvoicesInput = z.object({
  customerId: z.uuid().optional(),
  status: z.enum(invoiceStatuses).optional(),
  kind: z.enum(invoiceKinds).optional(),
  /** Keyset cursor: `<issuedAt ISO>|<id>` of the last row of the previous page. */
  cursor: z.string().max(80).optional(),
  limit: z.number().int().min(1).max(100).default(50),
});
export type ListInvoicesInput = z.input<typeof listInvoicesInput>;

export type InvoiceSummary = {
  id: string;
  number: string | null;
  customerId: string;
  customerName: string;
  kind: (typeof invoiceKinds)[number];
  status: (typeof invoiceStatuses)[number];
  currency: string;
  periodStart: Date;
  periodEnd: Date;
  totalMicros: bigint;
  totalCents: bigint;
  issuedAt: Date;
  stripeInvoiceId: string | null;
};

/** The columns of an invoice row in a list: the console's lists and the customer page read the same. */
export const invoiceSummaryColumns = {
  id: invoices.id,
  number: invoices.number,
  customerId: invoices.customerId,
  customerName: customers.name,
  kind: invoices.kind,
  status: invoices.status,
  currency: invoices.currency,
  periodStart: invoices.periodStart,
  periodEnd: invoices.periodEnd,
  totalMicros: invoices.totalMicros,
  totalCents: invoices.totalCents,
  issuedAt: invoices.issuedAt,
  stripeInvoiceId: invoices.stripeInvoiceId,
};

/** A page of invoices, newest first, optionally of one customer. */
export async function listInvoices(db: Db, rawInput: ListInvoicesInput): Promise<{ items: InvoiceSummary[]; nextCursor: string | null }> {
  const input = parseInput(listInvoicesInput, rawInput);
  const conditions: (SQL | undefined)[] = [
    input.customerId ? eq(invoices.customerId, input.customerId) : undefined,
    input.status ? eq(invoices.status, input.status) : undefined,
    input.kind ? eq(invoices.kind, input.kind) : undefined,
  ];
  if (input.cursor) {
    const [at, id] = input.cursor.split("|");
    const issuedAt = new Date(at ?? "");
    if (!Number.isNaN(issuedAt.getTime()) && id) conditions.push(or(lt(invoices.issuedAt, issuedAt), and(eq(invoices.issuedAt, issuedAt), lt(invoices.id, id))));
  }
  const rows = await db
    .select(invoiceSummaryColumns)
    .from(invoices)
    .innerJoin(customers, eq(customers.id, invoices.customerId))
    .where(and(...conditions))
    .orderBy(desc(invoices.issuedAt), desc(invoices.id))
    .limit(input.limit + 1);
  const items = rows.slice(0, input.limit);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > input.limit && last ? `${last.issuedAt.toISOString()}|${last.id}` : null };
}

/** The keyset cursor of one invoice (for `starting_after` = its id); undefined when there is no such invoice. */
export async function invoiceCursorOf(db: Db, invoiceId: string): Promise<string | undefined> {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(invoiceId)) return undefined;
  const [row] = await db.select({ issuedAt: invoices.issuedAt, id: invoices.id }).from(invoices).where(eq(invoices.id, invoiceId));
  return row ? `${row.issuedAt.toISOString()}|${row.id}` : undefined;
}
