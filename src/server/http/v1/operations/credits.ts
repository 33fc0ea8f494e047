import { z } from "zod";
import { grantCategories, grantScopes, grantSources } from "@/db/schema";
import { centsOf } from "@/lib/money-units";
import { getCustomer } from "@/server/customers/get-customer";
import { DomainError } from "@/server/errors";
import { creditGrantJson } from "@/server/grants/credit-grant-json";
import { listCustomerGrants } from "@/server/grants/list-customer-grants";
import { getCustomerLedgerSummary } from "@/server/ledger/get-customer-ledger-summary";
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

export const creditOperations = [listCreditGrants, getBalance] as const;
