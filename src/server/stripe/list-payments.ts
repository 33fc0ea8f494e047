import { sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";
import { stripeMinorToMicros } from "./money";

export const listPaymentsInput = z.object({
  customerId: z.uuid().optional(),
  /** Tally's invoice: the charges of the Stripe invoice it was pushed to. */
  invoiceId: z.uuid().optional(),
  stripeInvoiceId: z.string().max(255).optional(),
  /** Charges created in [createdFrom, createdTo). */
  createdFrom: z.date().optional(),
  createdTo: z.date().optional(),
  statuses: z.array(z.enum(["succeeded", "pending", "failed"])).max(3).optional(),
  limit: z.number().int().min(1).max(500).default(50),
  /** The last row of the previous page (newest first). */
  cursor: z.object({ created: z.date(), id: z.string().max(255) }).optional(),
});
export type ListPaymentsInput = z.input<typeof listPaymentsInput>;

export type PaymentRefund = { stripeId: string; amountMicros: bigint; amountMinor: bigint; status: string; reason: string | null; failureReason: string | null; created: Date };

/** One charge (one attempt to take money), as support reads it. Amounts in micro-units and in Stripe's minor units. */
export type Payment = {
  chargeId: string;
  paymentIntentId: string | null;
  customerId: string | null;
  stripeCustomerId: string | null;
  created: Date;
  currency: string;
  amountMicros: bigint;
  amountMinor: bigint;
  amountRefundedMicros: bigint;
  /** succeeded | pending | failed */
  status: string;
  refunded: boolean;
  disputed: boolean;
  description: string | null;
  cardBrand: string | null;
  cardLast4: string | null;
  cardExpMonth: number | null;
  cardExpYear: number | null;
  failureCode: string | null;
  failureMessage: string | null;
  /** The issuer's decline code, e.g. `insufficient_funds`. */
  declineCode: string | null;
  /** The Stripe invoice this charge paid (through its invoice payment), and the Tally invoice pushed to it. */
  stripeInvoiceId: string | null;
  invoice: { id: string; number: string | null } | null;
  refunds: PaymentRefund[];
};

export type ListPaymentsResult = { items: Payment[]; nextCursor: { created: Date; id: string } | null };

const refundsPerChargeMax = 20;

/** A charge as `readPayments` reads it. */
export type PaymentRow = {
  stripe_id: string;
  payment_intent_id: string | null;
  customer_id: string | null;
  stripe_customer_id: string | null;
  stripe_created: string | Date;
  currency: string;
  amount: string;
  amount_refunded: string;
  status: string;
  refunded: boolean;
  disputed: boolean;
  description: string | null;
  card_brand: string | null;
  card_last4: string | null;
  card_exp_month: number | null;
  card_exp_year: number | null;
  failure_code: string | null;
  failure_message: string | null;
  outcome_reason: string | null;
  stripe_invoice_id: string | null;
  invoice_id: string | null;
  invoice_number: string | null;
  refunds: { id: string; amount: string | number; status: string; reason: string | null; failure_reason: string | null; created: string }[] | string | null;
};
type Row = PaymentRow;

/**
 * Charges, newest first, with their card, failure reason, refunds and the invoice they paid
 * (Stripe invoice and the Tally invoice linked to it). Filters by Tally customer, Tally or Stripe
 * invoice, creation time and status; keyset paging on (created, id). Each filter is served by an
 * index of `stripe_charges` (customer, created, id) or a payment-intent lookup.
 */
export async function listPayments(db: Db, rawInput: ListPaymentsInput): Promise<ListPaymentsResult> {
  const input = listPaymentsInput.parse(rawInput);
  const conditions: SQL[] = [];
  if (input.customerId) conditions.push(sql`c.customer_id = ${input.customerId}`);
  if (input.invoiceId) {
    conditions.push(sql`c.payment_intent_id in (select ip.payment_intent_id from stripe_invoice_payments ip join invoices i on i.stripe_invoice_id = ip.stripe_invoice_id where i.id = ${input.invoiceId})`);
  }
  if (input.stripeInvoiceId) conditions.push(sql`c.payment_intent_id in (select payment_intent_id from stripe_invoice_payments where stripe_invoice_id = ${input.stripeInvoiceId})`);
  if (input.createdFrom) conditions.push(sql`c.stripe_created >= ${input.createdFrom.toISOString()}::timestamptz`);
  if (input.createdTo) conditions.push(sql`c.stripe_created < ${input.createdTo.toISOString()}::timestamptz`);
  if (input.statuses && input.statuses.length > 0) conditions.push(sql`c.status in (${sql.join(input.statuses.map((status) => sql`${status}`), sql`, `)})`);
  if (input.cursor) {
    conditions.push(sql`(c.stripe_created, c.stripe_id) < (${input.cursor.created.toISOString()}::timestamptz, ${input.cursor.id})`);
  }
  const rows = await readPayments(db, conditions, [sql`c.stripe_created desc`, sql`c.stripe_id desc`], input.limit + 1, sql`null`);
  const items = rows.slice(0, input.limit).map(toPayment);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > input.limit && last ? { created: last.created, id: last.chargeId } : null };
}

/**
 * The charges matching `conditions` (on `stripe_charges c`) in `orderBy`, each with its refunds and
 * the invoice it paid, and `cursorValue` (text) for a keyset page.
 */
export async function readPayments(db: Db, conditions: SQL[], orderBy: SQL[], limit: number, cursorValue: SQL): Promise<(Row & { cursor_value: string | null })[]> {
  const where = conditions.length > 0 ? sql`where ${sql.join(conditions, sql` and `)}` : sql``;
  return executeRows<Row & { cursor_value: string | null }>(
    db,
    sql`select c.stripe_id, c.payment_intent_id, c.customer_id, c.stripe_customer_id, c.stripe_created, c.currency, c.amount::text, c.amount_refunded::text,
               c.status, c.refunded, c.disputed, c.description, c.card_brand, c.card_last4, c.card_exp_month, c.card_exp_year,
               c.failure_code, c.failure_message, c.outcome_reason,
               link.stripe_invoice_id, i.id as invoice_id, i.number as invoice_number,
               (select json_agg(json_build_object('id', r.stripe_id, 'amount', r.amount, 'status', r.status, 'reason', r.reason,
                                                  'failure_reason', r.failure_reason, 'created', r.stripe_created) order by r.stripe_created, r.stripe_id)
                  from (select * from stripe_refunds r where r.charge_id = c.stripe_id order by r.stripe_created limit ${refundsPerChargeMax}) r) as refunds,
               (${cursorValue})::text as cursor_value
        from stripe_charges c
        left join lateral (
          select ip.stripe_invoice_id from stripe_invoice_payments ip
          where ip.payment_intent_id = c.payment_intent_id order by (ip.status = 'paid') desc, ip.stripe_created limit 1
        ) link on true
        left join invoices i on i.stripe_invoice_id = link.stripe_invoice_id
        ${where}
        order by ${sql.join(orderBy, sql`, `)}
        limit ${limit}`,
  );
}

export function toPayment(row: Row): Payment {
  const refunds = typeof row.refunds === "string" ? (JSON.parse(row.refunds) as Exclude<Row["refunds"], string>) : row.refunds;
  return {
    chargeId: row.stripe_id,
    paymentIntentId: row.payment_intent_id,
    customerId: row.customer_id,
    stripeCustomerId: row.stripe_customer_id,
    created: new Date(row.stripe_created),
    currency: row.currency,
    amountMicros: stripeMinorToMicros(BigInt(row.amount), row.currency),
    amountMinor: BigInt(row.amount),
    amountRefundedMicros: stripeMinorToMicros(BigInt(row.amount_refunded), row.currency),
    status: row.status,
    refunded: row.refunded,
    disputed: row.disputed,
    description: row.description,
    cardBrand: row.card_brand,
    cardLast4: row.card_last4,
    cardExpMonth: row.card_exp_month,
    cardExpYear: row.card_exp_year,
    failureCode: row.failure_code,
    failureMessage: row.failure_message,
    declineCode: row.outcome_reason,
    stripeInvoiceId: row.stripe_invoice_id,
    invoice: row.invoice_id ? { id: row.invoice_id, number: row.invoice_number } : null,
    refunds: (refunds ?? []).map((refund) => ({
      stripeId: refund.id,
      amountMinor: BigInt(refund.amount),
      amountMicros: stripeMinorToMicros(BigInt(refund.amount), row.currency),
      status: refund.status,
      reason: refund.reason,
      failureReason: refund.failure_reason,
      created: new Date(refund.created),
    })),
  };
}
