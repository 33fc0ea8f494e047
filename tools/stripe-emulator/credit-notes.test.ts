import type Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWithClient, type EmulatorFixture } from "./test-support";

let fixture: EmulatorFixture;
let stripe: Stripe;

beforeAll(async () => {
  fixture = await startWithClient();
  stripe = fixture.stripe;
});
afterAll(async () => {
  await fixture.emulator.close();
});

/** An open (finalized, not yet charged) invoice of `amount` for a customer with a working card. */
async function openInvoice(amount: number): Promise<{ customer: Stripe.Customer; invoice: Stripe.Invoice }> {
  const clock = await stripe.testHelpers.testClocks.create({ frozen_time: Date.UTC(2026, 4, 1) / 1000 });
  const customer = await stripe.customers.create({ test_clock: clock.id, payment_method: "pm_card_visa", invoice_settings: { default_payment_method: "pm_card_visa" } });
  await stripe.invoiceItems.create({ customer: customer.id, amount, currency: "usd", description: "Consulting" });
  const draft = await stripe.invoices.create({ customer: customer.id, pending_invoice_items_behavior: "include" });
  const invoice = await stripe.invoices.finalizeInvoice(draft.id);
  return { customer, invoice };
}

function expectStripeError(promise: Promise<unknown>, param?: string): Promise<void> {
  return expect(promise).rejects.toMatchObject({ type: "StripeInvalidRequestError", statusCode: 400, ...(param === undefined ? {} : { param }) });
}

async function eventsOf(type: string, objectId: string): Promise<Stripe.Event[]> {
  const events = await stripe.events.list({ type, limit: 100 });
  return events.data.filter((event) => (event.data.object as { id?: string }).id === objectId);
}

describe("credit notes", () => {
  it("on an open invoice, lower the amount remaining; the preview changes nothing; paying charges the rest", async () => {
    const { customer, invoice } = await openInvoice(5000);
    expect(invoice).toMatchObject({ status: "open", amount_remaining: 5000 });
    const line = invoice.lines.data[0] as Stripe.InvoiceLineItem;

    const preview = await stripe.creditNotes.preview({ invoice: invoice.id, lines: [{ type: "invoice_line_item", invoice_line_item: line.id, amount: 1200 }] });
    expect(preview).toMatchObject({ object: "credit_note", amount: 1200, type: "pre_payment", pre_payment_amount: 1200, post_payment_amount: 0 });
    expect((await stripe.invoices.retrieve(invoice.id)).amount_remaining).toBe(5000);
    expect((await stripe.creditNotes.list({ invoice: invoice.id })).data).toHaveLength(0);

    const note = await stripe.creditNotes.create({
      invoice: invoice.id,
      lines: [{ type: "invoice_line_item", invoice_line_item: line.id, amount: 1200 }],
      reason: "order_change",
      memo: "Partial refund of scope",
    });
    expect(note).toMatchObject({ status: "issued", amount: 1200, total: 1200, type: "pre_payment", reason: "order_change", customer: customer.id, invoice: invoice.id });
    expect(note.number).toBe(`${invoice.number}-CN-01`);
    expect(note.lines.data[0]).toMatchObject({ type: "invoice_line_item", invoice_line_item: line.id, amount: 1200 });
    const credited = await stripe.invoices.retrieve(invoice.id);
    expect(credited).toMatchObject({ status: "open", pre_payment_credit_notes_amount: 1200, amount_due: 3800, amount_remaining: 3800, total: 5000 });
    const updated = await eventsOf("invoice.updated", invoice.id);
    expect(updated.some((event) => (event.data.previous_attributes as { pre_payment_credit_notes_amount?: number }).pre_payment_credit_notes_amount === 0)).toBe(true);
    expect(await eventsOf("credit_note.created", note.id)).toHaveLength(1);
    const pdf = await fetch(note.pdf);
    expect(pdf.status).toBe(200);
    expect(await pdf.text()).toContain(note.number);

    await expectStripeError(stripe.creditNotes.create({ invoice: invoice.id, amount: 3801 }), "amount");
    await expectStripeError(stripe.creditNotes.create({ invoice: invoice.id, amount: 100, refund_amount: 100 }), "refund_amount");
    await expectStripeError(
      stripe.creditNotes.create({ invoice: invoice.id, amount: 999, lines: [{ type: "custom_line_item", unit_amount: 500, quantity: 2, description: "Goodwill" }] }),
      "amount",
    );

    const paid = await stripe.invoices.pay(invoice.id);
    expect(paid).toMatchObject({ status: "paid", amount_paid: 3800, amount_remaining: 0 });
    const intent = (await stripe.paymentIntents.list({ customer: customer.id })).data[0] as Stripe.PaymentIntent;
    expect((await stripe.charges.retrieve(intent.latest_charge as string)).amount).toBe(3800);
    // The invoice is no longer open, so the pre-payment credit can no longer be undone.
    await expectStripeError(stripe.creditNotes.voidCreditNote(note.id));
  });

  it("crediting an open invoice down to zero marks it paid; voiding a pre-payment note on an open invoice restores what is due", async () => {
    const whole = await openInvoice(2000);
    await stripe.creditNotes.create({ invoice: whole.invoice.id, amount: 2000 });
    expect(await stripe.invoices.retrieve(whole.invoice.id)).toMatchObject({ status: "paid", amount_paid: 0, amount_remaining: 0 });
    expect((await stripe.charges.list({ customer: whole.customer.id })).data).toHaveLength(0);

    const partial = await openInvoice(3000);
    const note = await stripe.creditNotes.create({ invoice: partial.invoice.id, amount: 700 });
    expect((await stripe.invoices.retrieve(partial.invoice.id)).amount_remaining).toBe(2300);
    const voided = await stripe.creditNotes.voidCreditNote(note.id);
    expect(voided).toMatchObject({ status: "void" });
    expect(voided.voided_at).toEqual(expect.any(Number));
    expect(await stripe.invoices.retrieve(partial.invoice.id)).toMatchObject({ pre_payment_credit_notes_amount: 0, amount_remaining: 3000 });
    expect(await eventsOf("credit_note.voided", note.id)).toHaveLength(1);
    await expectStripeError(stripe.creditNotes.voidCreditNote(note.id));
  });

  it("on a paid invoice, refund the charge and/or credit the customer's balance; voiding reverses a balance credit", async () => {
    const { customer, invoice } = await openInvoice(4000);
    await stripe.invoices.pay(invoice.id);
    const intent = (await stripe.paymentIntents.list({ customer: customer.id })).data[0] as Stripe.PaymentIntent;
    const chargeId = intent.latest_charge as string;

    const split = await stripe.creditNotes.create({ invoice: invoice.id, amount: 1000, refund_amount: 600, credit_amount: 400 });
    expect(split).toMatchObject({ type: "post_payment", post_payment_amount: 1000, pre_payment_amount: 0, out_of_band_amount: null });
    expect(split.refunds).toHaveLength(1);
    expect(split.refunds[0]).toMatchObject({ amount_refunded: 600, type: "refund" });
    const refund = await stripe.refunds.retrieve(split.refunds[0]?.refund as string);
    expect(refund).toMatchObject({ amount: 600, charge: chargeId });
    expect((await stripe.charges.retrieve(chargeId)).amount_refunded).toBe(600);
    expect((await stripe.customers.retrieve(customer.id)) as Stripe.Customer).toMatchObject({ balance: -400 });
    const transaction = await stripe.customers.retrieveBalanceTransaction(customer.id, split.customer_balance_transaction as string);
    expect(transaction).toMatchObject({ type: "credit_note", amount: -400, credit_note: split.id, ending_balance: -400 });
    expect(await stripe.invoices.retrieve(invoice.id)).toMatchObject({ status: "paid", post_payment_credit_notes_amount: 1000, amount_remaining: 0 });

    await expectStripeError(stripe.creditNotes.create({ invoice: invoice.id, amount: 1000, refund_amount: 600, credit_amount: 300 }), "refund_amount");
    await expectStripeError(stripe.creditNotes.create({ invoice: invoice.id, amount: 3001 }), "amount");

    // Neither refund_amount nor credit_amount: what is not settled out of band goes to the balance.
    const balanceOnly = await stripe.creditNotes.create({ invoice: invoice.id, amount: 500, out_of_band_amount: 200 });
    expect(balanceOnly).toMatchObject({ out_of_band_amount: 200, refunds: [] });
    expect(((await stripe.customers.retrieve(customer.id)) as Stripe.Customer).balance).toBe(-700);
    expect((await stripe.creditNotes.list({ invoice: invoice.id })).data.map((note) => note.number)).toEqual([
      `${invoice.number}-CN-02`,
      `${invoice.number}-CN-01`,
    ]);

    const voided = await stripe.creditNotes.voidCreditNote(balanceOnly.id);
    expect(voided.status).toBe("void");
    expect(((await stripe.customers.retrieve(customer.id)) as Stripe.Customer).balance).toBe(-400);
    expect((await stripe.invoices.retrieve(invoice.id)).post_payment_credit_notes_amount).toBe(1000);
    await expectStripeError(stripe.creditNotes.voidCreditNote(split.id));

    const byCustomer = await stripe.creditNotes.list({ customer: customer.id });
    expect(byCustomer.data.map((note) => note.id)).toEqual([balanceOnly.id, split.id]);
    const retrieved = await stripe.creditNotes.retrieve(split.id, { expand: ["invoice"] });
    expect((retrieved.invoice as Stripe.Invoice).id).toBe(invoice.id);
    const lines = await stripe.creditNotes.listLineItems(split.id);
    expect(lines.data).toHaveLength(0);
  });

  it("refuse drafts and unknown invoice lines", async () => {
    const clock = await stripe.testHelpers.testClocks.create({ frozen_time: Date.UTC(2026, 4, 1) / 1000 });
    const customer = await stripe.customers.create({ test_clock: clock.id });
    await stripe.invoiceItems.create({ customer: customer.id, amount: 900, currency: "usd" });
    const draft = await stripe.invoices.create({ customer: customer.id, pending_invoice_items_behavior: "include" });
    await expectStripeError(stripe.creditNotes.create({ invoice: draft.id, amount: 100 }), "invoice");
    const open = await stripe.invoices.finalizeInvoice(draft.id);
    await expectStripeError(
      stripe.creditNotes.create({ invoice: open.id, lines: [{ type: "invoice_line_item", invoice_line_item: "il_missing", amount: 100 }] }),
      "lines[0][invoice_line_item]",
    );
    await expectStripeError(stripe.creditNotes.create({ invoice: open.id }), "amount");
  });
});
