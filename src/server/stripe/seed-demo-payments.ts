import { sql } from "drizzle-orm";
import type Stripe from "stripe";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";
import { followStripeInvoiceStatus } from "@/server/billing-sync/follow-invoice-status";
import { fixedClock, type Clock } from "@/server/clock";
import { postInvoicePayment, postRefund } from "./post-stripe-money";
import { upsertStripeInvoice } from "./upsert-mirror";
import { upsertStripeCharge, upsertStripeInvoicePayment, upsertStripePaymentIntent, upsertStripeRefund } from "./upsert-payment-mirror";

const hourMs = 3_600_000;
const dayMs = 24 * hourMs;
/** Invoices issued in the last days are still open (customers pay within a few days), as in any real month. */
const openForDays = 3;
const invoicesMax = 2_000;
/** The period invoices of the demo's month of usage (`seedDemoInvoices`); later seed steps' invoices keep their own stories. */
const seededBy = "system:seed-invoices";
const cards = [
  { brand: "visa", last4: "4242" },
  { brand: "mastercard", last4: "4444" },
  { brand: "amex", last4: "8431" },
  { brand: "visa", last4: "1881" },
];

type Row = { id: string; customer_id: string; external_id: string; number: string; currency: string; total_cents: string; issued_at: Date | string; period_start: Date | string; period_end: Date | string };

/**
 * The demo's payment history, as if Stripe had collected it: each seeded period invoice issued
 * more than three days ago was put on a Stripe invoice that the customer's card paid a few hours
 * to two days later (one in 25 refunded in part; invoices of nothing to pay are paid at once). Written through the same code the webhooks run — the
 * mirrors of Stripe's invoice, payment intent, charge, invoice payment and refund, the ledger's
 * cash bookings (`stripe:invoice:<id>:paid`, `stripe:refund:<id>`) and the Tally invoice moving
 * to paid — so the invoices, the customer's payments list, the timeline and the cash report show
 * it. Invoices issued in the last three days stay open (those of nothing to pay excepted); the customer in dunning keeps its own
 * failed invoice. Ids are fixed per invoice (`in_demo_<number>`), so a rerun changes nothing.
 */
export async function seedDemoPayments(db: Db, clock: Clock): Promise<string> {
  const now = clock.now();
  const rows = await executeRows<Row>(
    db,
    sql`select i.id, i.customer_id, c.external_id, i.number, i.currency, i.total_cents::text as total_cents, i.issued_at, i.period_start, i.period_end
        from invoices i join customers c on c.id = i.customer_id
        where i.kind = 'period' and i.status = 'finalized' and i.stripe_invoice_id is null and i.number is not null
          and i.created_by = ${seededBy} and (i.total_cents = 0 or (i.total_cents > 0 and i.issued_at < ${new Date(now.getTime() - openForDays * dayMs).toISOString()}::timestamptz))
          and not exists (select 1 from dunning_cases d where d.customer_id = i.customer_id)
        order by i.issued_at, i.id
        limit ${invoicesMax}`,
  );
  let paid = 0;
  let refunded = 0;
  let free = 0;
  for (const [index, row] of rows.entries()) {
    const key = row.number.toLowerCase().replace(/[^a-z0-9]/g, "");
    const issuedAt = new Date(row.issued_at);
    const paidAt = new Date(Math.min(issuedAt.getTime() + hourMs + (hash(key) % (47 * hourMs)), now.getTime() - hourMs));
    const cents = Number(row.total_cents);
    const card = cards[hash(row.external_id) % cards.length]!;
    const stripeCustomerId = demoStripeCustomerId(row.external_id);
    const ids = { invoice: `in_demo_${key}`, paymentIntent: `pi_demo_${key}`, charge: `ch_demo_${key}`, invoicePayment: `inpay_demo_${key}` };
    const seconds = (date: Date) => Math.floor(date.getTime() / 1000);
    const write = { customerId: row.customer_id, eventCreated: paidAt, now };
    const invoice = {
      id: ids.invoice,
      object: "invoice",
      livemode: false,
      created: seconds(issuedAt),
      customer: stripeCustomerId,
      number: `DEMO-${row.number}`,
      status: "paid",
      billing_reason: "subscription_cycle",
      currency: row.currency,
      total: cents,
      amount_due: cents,
      amount_paid: cents,
      amount_remaining: 0,
      period_start: seconds(new Date(row.period_start)),
      period_end: seconds(new Date(row.period_end)),
      hosted_invoice_url: null,
      status_transitions: { finalized_at: seconds(issuedAt), paid_at: seconds(paidAt), voided_at: null, marked_uncollectible_at: null },
    } as unknown as Stripe.Invoice;
    const paymentIntent = {
      id: ids.paymentIntent,
      object: "payment_intent",
      livemode: false,
      created: seconds(paidAt),
      customer: stripeCustomerId,
      amount: cents,
      amount_received: cents,
      currency: row.currency,
      status: "succeeded",
      description: `Payment for invoice DEMO-${row.number}`,
      latest_charge: ids.charge,
      payment_method: `pm_demo_${card.brand}_${card.last4}`,
      last_payment_error: null,
      canceled_at: null,
      cancellation_reason: null,
      metadata: {},
    } as unknown as Stripe.PaymentIntent;
    // Every 25th payment was later refunded in part (a goodwill refund of a fifth, whole cents).
    const refundCents = index % 25 === 12 ? Math.floor(cents / 5) : 0;
    const charge = {
      id: ids.charge,
      object: "charge",
      livemode: false,
      created: seconds(paidAt),
      customer: stripeCustomerId,
      payment_intent: ids.paymentIntent,
      amount: cents,
      amount_captured: cents,
      amount_refunded: refundCents,
      currency: row.currency,
      status: "succeeded",
      paid: true,
      captured: true,
      refunded: false,
      disputed: false,
      description: `Payment for invoice DEMO-${row.number}`,
      failure_code: null,
      failure_message: null,
      outcome: { type: "authorized", reason: null, seller_message: "Payment complete." },
      payment_method: paymentIntent.payment_method,
      payment_method_details: { type: "card", card: { brand: card.brand, last4: card.last4, exp_month: 12, exp_year: 2030 } },
      refunds: { object: "list", data: [], has_more: false, url: "" },
      metadata: {},
    } as unknown as Stripe.Charge;
    const invoicePayment = {
      id: ids.invoicePayment,
      object: "invoice_payment",
      livemode: false,
      created: seconds(paidAt),
      invoice: ids.invoice,
      payment: { type: "payment_intent", payment_intent: ids.paymentIntent },
      amount_requested: cents,
      amount_paid: cents,
      currency: row.currency,
      status: "paid",
      is_default: true,
      status_transitions: { paid_at: seconds(paidAt), canceled_at: null },
    } as unknown as Stripe.InvoicePayment;
    await upsertStripeInvoice(db, invoice, write);
    await db.execute(sql`update invoices set stripe_invoice_id = ${ids.invoice} where id = ${row.id} and stripe_invoice_id is null`);
    if (cents === 0) {
      // Stripe marks an invoice of nothing to pay paid when it finalizes it: no charge.
      await followStripeInvoiceStatus(db, fixedClock(issuedAt), { ...invoice, status_transitions: { ...invoice.status_transitions, paid_at: seconds(issuedAt) } });
      free += 1;
      continue;
    }
    await upsertStripePaymentIntent(db, paymentIntent, write);
    await upsertStripeCharge(db, charge, write);
    await upsertStripeInvoicePayment(db, invoicePayment, write);
    await postInvoicePayment(db, fixedClock(paidAt), invoice, row.customer_id);
    await followStripeInvoiceStatus(db, fixedClock(paidAt), invoice);
    paid += 1;
    if (refundCents > 0) {
      const refundedAt = new Date(Math.min(paidAt.getTime() + 2 * dayMs, now.getTime() - hourMs / 2));
      const refund = {
        id: `re_demo_${key}`,
        object: "refund",
        created: seconds(refundedAt),
        amount: refundCents,
        currency: row.currency,
        charge: ids.charge,
        payment_intent: ids.paymentIntent,
        status: "succeeded",
        reason: "requested_by_customer",
        failure_reason: null,
        metadata: { note: "Goodwill: an outage on their side doubled retries" },
      } as unknown as Stripe.Refund;
      await upsertStripeRefund(db, refund, { ...write, eventCreated: refundedAt });
      await postRefund(db, fixedClock(refundedAt), refund, row.customer_id);
      refunded += 1;
    }
  }
  return `${paid} invoices paid by card through Stripe (${refunded} refunded in part), ${free} of nothing to pay marked paid; invoices issued in the last ${openForDays} days left open`;
}

/** The Stripe customer the demo's payments are made by, per Tally customer. */
export function demoStripeCustomerId(externalId: string): string {
  return `cus_demo_${hash(externalId).toString(36)}`;
}

function hash(text: string): number {
  let value = 2166136261;
  for (const character of text) value = Math.imul(value ^ character.charCodeAt(0), 16777619) >>> 0;
  return value;
}
