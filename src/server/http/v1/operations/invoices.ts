import { z } from "zod";
import { invoiceKinds, invoiceStatuses } from "@/db/schema";
import { getCustomer } from "@/server/customers/get-customer";
import { DomainError } from "@/server/errors";
import { getCustomerLedgerSummary } from "@/server/ledger/get-customer-ledger-summary";
import { getInvoice } from "@/server/invoicing/get-invoice";
import { invoiceJson, invoiceLineJson, readInvoiceLines } from "@/server/invoicing/invoice-json";
import { invoiceCursorOf, listInvoices } from "@/server/invoicing/list-invoices";
import { previewUpcomingInvoice } from "@/server/invoicing/preview-upcoming-invoice";
import { defineOperation } from "../operation";
import { invoiceSchema, upcomingInvoiceSchema } from "../resources";
import { customerParam, listOf, pageQuery } from "../schemas";

const customerPath = z.strictObject({ customer: customerParam });

export const listCustomerInvoices = defineOperation({
  id: "listCustomerInvoices",
  method: "GET",
  path: "/customers/{customer}/invoices",
  scope: "read",
  tag: "Invoices",
  summary: "List a customer's invoices, with lines",
  description: "Newest first. Period invoices bill a period's usage and the next period's fee in advance; threshold, proration and opening invoices bill between closes.",
  errors: [404],
  params: customerPath,
  query: z.strictObject({ ...pageQuery, status: z.enum(invoiceStatuses).optional(), kind: z.enum(invoiceKinds).optional() }),
  responses: { 200: listOf(invoiceSchema, "InvoiceList", "A page of invoices.") },
  handler: async ({ db, params, query, concerns }) => {
    const customer = await getCustomer(db, params.customer);
    concerns(customer.id);
    let cursor: string | undefined;
    if (query.starting_after) {
      cursor = await invoiceCursorOf(db, query.starting_after);
      if (!cursor) throw new DomainError("invalid", "invalid_cursor", "`starting_after` must be the id of an invoice from the previous page.", undefined, { param: "starting_after" });
    }
    const page = await listInvoices(db, { customerId: customer.id, status: query.status, kind: query.kind, cursor, limit: query.limit });
    const ids = page.items.map((item) => item.id);
    const lines = await readInvoiceLines(db, ids);
    const data = await Promise.all(ids.map(async (id) => invoiceJson((await getInvoice(db, { id })).invoice, lines.get(id) ?? [])));
    return { status: 200 as const, body: { object: "list" as const, data, has_more: page.nextCursor !== null, url: `/api/v1/customers/${encodeURIComponent(params.customer)}/invoices` } };
  },
});

export const getInvoiceOperation = defineOperation({
  id: "getInvoice",
  method: "GET",
  path: "/invoices/{invoice}",
  scope: "read",
  tag: "Invoices",
  summary: "Get an invoice with its lines",
  errors: [404],
  params: z.strictObject({ invoice: z.uuid().meta({ description: "The invoice's id." }) }),
  responses: { 200: invoiceSchema },
  handler: async ({ db, params, concerns }) => {
    const detail = await getInvoice(db, { id: params.invoice });
    concerns(detail.customer.id);
    return { status: 200 as const, body: invoiceJson(detail.invoice, detail.lines) };
  },
});

export const getUpcomingInvoice = defineOperation({
  id: "getUpcomingInvoice",
  method: "GET",
  path: "/customers/{customer}/upcoming_invoice",
  scope: "read",
  tag: "Invoices",
  summary: "The upcoming invoice",
  description: "What the customer would pay if the current period closed now: usage so far (rated exactly as the close rates it), the next period's fee in advance and discounts, before credits (the customer's credit balance is beside it). 422 `no_live_subscription` without a subscription.",
  errors: [404, 422],
  params: customerPath,
  responses: { 200: upcomingInvoiceSchema },
  handler: async ({ db, clock, params, concerns }) => {
    const customer = await getCustomer(db, params.customer);
    concerns(customer.id);
    const preview = await previewUpcomingInvoice(db, { customerId: customer.id }, { clock });
    if (!preview) throw new DomainError("precondition", "no_live_subscription", "This customer has no live subscription, so no upcoming invoice.");
    const ledger = await getCustomerLedgerSummary(db, customer.id);
    const credit = ledger.grants.filter((grant) => grant.balance.currency === preview.currency).reduce((sum, grant) => sum + grant.balance.available, 0n);
    return {
      status: 200 as const,
      body: {
        object: "upcoming_invoice" as const,
        customer: customer.id,
        subscription: preview.subscriptionId,
        currency: preview.currency,
        period: { start: preview.period.start.toISOString(), end: preview.period.end.toISOString() },
        as_of: preview.asOf.toISOString(),
        lines: preview.lines.map((line) => invoiceLineJson({ ...line, servicePeriodStart: line.servicePeriod.start, servicePeriodEnd: line.servicePeriod.end })),
        subtotal_micros: preview.totals.subtotalMicros.toString(),
        subtotal_cents: Number(preview.totals.subtotalCents),
        discount_micros: preview.totals.discountMicros.toString(),
        discount_cents: Number(preview.totals.discountCents),
        total_micros: (preview.totals.subtotalMicros - preview.totals.discountMicros).toString(),
        total_cents: Number(preview.totals.subtotalCents - preview.totals.discountCents),
        credit_balance_micros: credit.toString(),
      },
    };
  },
});
