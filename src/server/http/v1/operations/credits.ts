import crypto from "node:crypto";
import { z } from "zod";
import { grantCategories, grantScopes, grantSources } from "@/db/schema";
import { centsOf } from "@/lib/money-units";
import { getCustomer } from "@/server/customers/get-customer";
import { DomainError } from "@/server/errors";
import { creditGrantJson } from "@/server/grants/credit-grant-json";
import { listCustomerGrants } from "@/server/grants/list-customer-grants";
import { getInvoice } from "@/server/invoicing/get-invoice";
import { invoiceJson } from "@/server/invoicing/invoice-json";
import { getCustomerLedgerSummary } from "@/server/ledger/get-customer-ledger-summary";
import { purchaseCredit } from "@/server/workflows/purchase-credit";
import { invoiceSchema } from "../resources";
import { defineOperation } from "../operation";
import { cents, currency, customerParam, listOf, microsString, pageQuery, timestamp } from "../schemas";

const customerPath = z.strictObject({ customer: customerParam });

export const creditGrantSchema = z
  .strictObject({
    object: z.literal("credit_grant"),
    id: z.uuid(),
    customer: z.uuid(),
    category: z.enum(grantCategories),
    source: z.enum(grantSources),
    currency,
    amount_micros: microsString,
    amount_cents: cents,
    remaining_micros: microsString,
    state: z.enum(["scheduled", "active", "used", "expired"]),
    applies_to: z.enum(grantScopes),
    product_keys: z.array(z.string()),
    meter_keys: z.array(z.string()),
    priority: z.number().int(),
    effective_at: timestamp,
    expires_at: timestamp.nullable(),
    created_at: timestamp,
  })
  .meta({ id: "CreditGrant", description: "Credit a customer holds: promotional, goodwill or paid. Usage burns it down in a documented order." });

const balanceSchema = z
  .strictObject({
    object: z.literal("balance"),
    customer: z.uuid(),
    balances: z.array(
      z.strictObject({
        currency,
        credit_available_micros: microsString.meta({ description: "Credits that can still pay for usage (holds deducted)." }),
        credit_available_cents: cents,
        receivable_micros: microsString.meta({ description: "Invoiced and not yet paid." }),
        receivable_cents: cents,
        unbilled_micros: microsString.meta({ description: "Usage rated but not yet invoiced." }),
        unbilled_cents: cents,
      }),
    ),
  })
  .meta({ id: "Balance", description: "A customer's money with Tally, from the ledger, per currency." });

export const listCreditGrants = defineOperation({
  id: "listCreditGrants",
  method: "GET",
  path: "/customers/{customer}/credit_grants",
  scope: "read",
  tag: "Credits",
  summary: "List a customer's credit grants",
  description: "Newest first, each with what remains of it (from the ledger).",
  errors: [404],
  params: customerPath,
  query: z.strictObject(pageQuery),
  responses: { 200: listOf(creditGrantSchema, "CreditGrantList", "A page of credit grants.") },
  handler: async ({ db, clock, params, query, concerns }) => {
    const customer = await getCustomer(db, params.customer);
    concerns(customer.id);
    const grants = await listCustomerGrants(db, customer.id, clock.now());
    let start = 0;
    if (query.starting_after) {
      start = grants.findIndex((grant) => grant.id === query.starting_after) + 1;
      if (start === 0) throw new DomainError("invalid", "invalid_cursor", "`starting_after` must be the id of a credit grant from the previous page.", undefined, { param: "starting_after" });
    }
    const page = grants.slice(start, start + query.limit);
    return { status: 200 as const, body: { object: "list" as const, data: page.map(creditGrantJson), has_more: start + query.limit < grants.length, url: `/api/v1/customers/${encodeURIComponent(params.customer)}/credit_grants` } };
  },
});

export const getBalance = defineOperation({
  id: "getBalance",
  method: "GET",
  path: "/customers/{customer}/balance",
  scope: "read",
  tag: "Credits",
  summary: "A customer's credit, receivable and unbilled balances",
  errors: [404],
  params: customerPath,
  responses: { 200: balanceSchema },
  handler: async ({ db, params, concerns }) => {
    const customer = await getCustomer(db, params.customer);
    concerns(customer.id);
    const summary = await getCustomerLedgerSummary(db, customer.id);
    const currencies = new Set([customer.currency, ...summary.grants.map((grant) => grant.balance.currency), ...summary.receivable.map((balance) => balance.currency), ...summary.unbilled.map((balance) => balance.currency)]);
    const balances = [...currencies].sort().map((code) => {
      const credit = summary.grants.filter((grant) => grant.balance.currency === code).reduce((sum, grant) => sum + grant.balance.available, 0n);
      const receivable = summary.receivable.filter((balance) => balance.currency === code).reduce((sum, balance) => sum + balance.posted, 0n);
      const unbilled = summary.unbilled.filter((balance) => balance.currency === code).reduce((sum, balance) => sum + balance.posted, 0n);
      return {
        currency: code,
        credit_available_micros: credit.toString(),
        credit_available_cents: centsOf(credit),
        receivable_micros: receivable.toString(),
        receivable_cents: centsOf(receivable),
        unbilled_micros: unbilled.toString(),
        unbilled_cents: centsOf(unbilled),
      };
    });
    return { status: 200 as const, body: { object: "balance" as const, customer: customer.id, balances } };
  },
});

export const purchaseCreditOperation = defineOperation({
  id: "purchaseCredit",
  method: "POST",
  path: "/customers/{customer}/credit_purchases",
  scope: "credits:write",
  tag: "Credits",
  summary: "Issue a purchased credit (invoiced and collected)",
  description:
    "The customer buys prepaid credit: a finalized `credit_purchase` invoice for the amount and a `paid` credit grant of the same amount, in one transaction; the invoice then goes to Stripe as its own invoice, charged to the customer's default payment method (`invoice.paid` follows). The grant is usable at once. `Idempotency-Key` is required here: a retry returns the same purchase (`created: false`), never a second invoice, even after the key's 24 hours. The amount is whole cents, $1 to $1,000,000. 422 `credit_purchase_needs_subscription` without a live subscription.",
  errors: [404, 409, 422],
  params: customerPath,
  body: z.strictObject({
    amount_micros: microsString.meta({ description: "Whole cents (a multiple of 10000), from 1000000 ($1) to 1000000000000 ($1,000,000).", example: "50000000" }),
    expires_at: timestamp.optional().meta({ description: "When unused credit expires (breakage); default never." }),
    priority: z.number().int().min(0).max(1_000_000).optional().meta({ description: "Burn-down order among the customer's grants: lower burns first (default 100)." }),
    reason: z.string().trim().max(500).optional().meta({ description: "Shown on the grant and in the audit log; default names the invoice." }),
  }),
  responses: {
    201: z
      .strictObject({
        object: z.literal("credit_purchase"),
        created: z.boolean().meta({ description: "false when this Idempotency-Key had already bought it (the same purchase is returned)." }),
        invoice: invoiceSchema,
        credit_grant: creditGrantSchema,
      })
      .meta({ id: "CreditPurchase", description: "The invoice that collects the purchase and the credit it gives." }),
  },
  handler: async ({ db, clock, actor, key, params, body, idempotencyKey, stripe, concerns }) => {
    const customer = await getCustomer(db, params.customer);
    concerns(customer.id);
    if (idempotencyKey === null) throw new DomainError("invalid", "parameter_missing", "Send an Idempotency-Key with a credit purchase (a UUID): a retry must never buy twice.", undefined, { param: "Idempotency-Key" });
    const amountMicros = BigInt(body.amount_micros);
    if (amountMicros < 1_000_000n || amountMicros > 1_000_000_000_000n) throw new DomainError("invalid", "parameter_invalid", "`amount_micros` is from 1000000 ($1) to 1000000000000 ($1,000,000).", undefined, { param: "amount_micros" });
    if (amountMicros % 10_000n !== 0n) throw new DomainError("invalid", "parameter_invalid", "`amount_micros` must be whole cents (a multiple of 10000): the purchase is invoiced.", undefined, { param: "amount_micros" });
    if (body.expires_at && new Date(body.expires_at).getTime() <= clock.now().getTime()) throw new DomainError("invalid", "parameter_invalid", "`expires_at` must be in the future.", undefined, { param: "expires_at" });
    const purchase = await purchaseCredit(db, await stripe(), actor, clock, {
      customerId: customer.id,
      amountMicros,
      expiresAt: body.expires_at ? new Date(body.expires_at) : undefined,
      priority: body.priority,
      reason: body.reason ?? "",
      // Per API key, like the Idempotency-Key itself; hashed to the domain's key length.
      idempotencyKey: `api:${key.id}:${crypto.createHash("sha256").update(idempotencyKey).digest("hex")}`,
    });
    const detail = await getInvoice(db, { id: purchase.invoiceId });
    const grant = (await listCustomerGrants(db, customer.id, clock.now())).find((item) => item.id === purchase.grantId);
    if (!grant) throw new Error(`grant ${purchase.grantId} of a credit purchase not found`);
    return { status: 201 as const, body: { object: "credit_purchase" as const, created: purchase.created, invoice: invoiceJson(detail.invoice, detail.lines), credit_grant: creditGrantJson(grant) } };
  },
});

export const creditOperations = [listCreditGrants, getBalance, purchaseCreditOperation] as const;
