import { z } from "zod";
import { customerKinds } from "@/db/schema";
import { archiveCustomer } from "@/server/customers/archive-customer";
import { customerJson } from "@/server/customers/customer-json";
import { getCustomer } from "@/server/customers/get-customer";
import { listCustomersByCreation } from "@/server/customers/list-customers-by-creation";
import { updateCustomer } from "@/server/customers/update-customer";
import { upsertCustomer } from "@/server/customers/upsert-customer";
import { DomainError } from "@/server/errors";
import { createPaymentSetupSession } from "@/server/stripe/create-payment-setup-session";
import { defineOperation } from "../operation";
import { customerSchema } from "../resources";
import { currency, customerParam, listOf, metadataPatch, pageQuery, reason, timestamp } from "../schemas";

const customerPath = z.strictObject({ customer: customerParam });
const email = z.email().max(320).meta({ example: "ada@example.dev" });
const name = z.string().trim().min(1).max(200).meta({ example: "Ada Lovelace" });

export const createCustomer = defineOperation({
  id: "createCustomer",
  method: "POST",
  path: "/customers",
  scope: "customers:write",
  tag: "Customers",
  summary: "Create or update a customer by external id",
  description:
    "Idempotent by `external_id`: the first call creates the customer (201); later calls with the same `external_id` update name, email, kind and metadata (merged) and answer 200. Call it at every sign-up or profile change. The currency is fixed once the customer exists (409 `currency_mismatch`); an archived customer is refused (422 `customer_archived`).",
  errors: [409, 422],
  body: z.strictObject({
    external_id: z.string().trim().min(1).max(256).meta({ description: "The product's own id for the customer (usage events name it as `subject`).", example: "usr_42" }),
    email,
    name: name.optional(),
    kind: z.enum(customerKinds).optional().meta({ description: "Default `individual`." }),
    currency: currency.optional().meta({ description: "Default `usd`; fixed once the customer exists." }),
    metadata: metadataPatch.optional(),
    reason,
  }),
  responses: { 200: customerSchema, 201: customerSchema },
  handler: async ({ db, clock, actor, body, concerns }) => {
    const result = await upsertCustomer(db, actor, clock, {
      externalId: body.external_id,
      email: body.email,
      name: body.name,
      kind: body.kind,
      currency: body.currency,
      metadata: body.metadata,
      reason: body.reason,
    });
    concerns(result.customer.id);
    return result.created ? { status: 201 as const, body: customerJson(result.customer) } : { status: 200 as const, body: customerJson(result.customer) };
  },
});

export const listCustomers = defineOperation({
  id: "listCustomers",
  method: "GET",
  path: "/customers",
  scope: "read",
  tag: "Customers",
  summary: "List customers",
  description: "Newest first. Archived customers are listed only with `archived=true`.",
  errors: [],
  query: z.strictObject({
    ...pageQuery,
    email: z.string().max(320).optional().meta({ description: "Only customers with this email (case-insensitive)." }),
    kind: z.enum(customerKinds).optional(),
    archived: z.enum(["true", "false"]).optional().meta({ description: "`true`: only archived customers; default `false`." }),
  }),
  responses: { 200: listOf(customerSchema, "CustomerList", "A page of customers.") },
  handler: async ({ db, query }) => {
    const page = await listCustomersByCreation(db, { limit: query.limit, startingAfter: query.starting_after, email: query.email, kind: query.kind, archived: query.archived === "true" });
    return { status: 200 as const, body: { object: "list" as const, data: page.items.map(customerJson), has_more: page.hasMore, url: "/api/v1/customers" } };
  },
});

export const getCustomerOperation = defineOperation({
  id: "getCustomer",
  method: "GET",
  path: "/customers/{customer}",
  scope: "read",
  tag: "Customers",
  summary: "Get a customer",
  errors: [404],
  params: customerPath,
  responses: { 200: customerSchema },
  handler: async ({ db, params, concerns }) => {
    const customer = await getCustomer(db, params.customer);
    concerns(customer.id);
    return { status: 200 as const, body: customerJson(customer) };
  },
});

export const updateCustomerOperation = defineOperation({
  id: "updateCustomer",
  method: "POST",
  path: "/customers/{customer}",
  scope: "customers:write",
  tag: "Customers",
  summary: "Update a customer",
  description: "Changes only the fields given; metadata keys are merged (a key set to \"\" or null is removed).",
  errors: [404, 422],
  params: customerPath,
  body: z.strictObject({ email: email.optional(), name: name.optional(), kind: z.enum(customerKinds).optional(), metadata: metadataPatch.optional(), reason }),
  responses: { 200: customerSchema },
  handler: async ({ db, clock, actor, key, params, body, concerns }) => {
    const customer = await getCustomer(db, params.customer);
    concerns(customer.id);
    const updated = await updateCustomer(db, actor, { customerId: customer.id, name: body.name, email: body.email, kind: body.kind, metadata: body.metadata, reason: body.reason ?? `API key ${key.name}` }, clock);
    return { status: 200 as const, body: customerJson(updated) };
  },
});

export const archiveCustomerOperation = defineOperation({
  id: "archiveCustomer",
  method: "POST",
  path: "/customers/{customer}/archive",
  scope: "customers:write",
  tag: "Customers",
  summary: "Archive a customer",
  description: "For a customer the product no longer serves: hidden from lists, no new subscription, no further changes; invoices and history stay. Cancel the subscription first (422 `customer_has_live_subscription`). Archiving twice returns the archived customer.",
  errors: [404, 422],
  params: customerPath,
  body: z.strictObject({ reason }),
  responses: { 200: customerSchema },
  handler: async ({ db, clock, actor, key, params, body, concerns }) => {
    const customer = await getCustomer(db, params.customer);
    concerns(customer.id);
    const archived = await archiveCustomer(db, actor, clock, { customerId: customer.id, reason: body.reason ?? `API key ${key.name}` });
    return { status: 200 as const, body: customerJson(archived) };
  },
});

export const createPaymentSetupOperation = defineOperation({
  id: "createPaymentSetup",
  method: "POST",
  path: "/customers/{customer}/payment_setup",
  scope: "customers:write",
  tag: "Customers",
  summary: "A link for the customer to add or update a payment method",
  description: "A Stripe customer portal session (the customer is pushed to Stripe first if needed). Short-lived: ask for a new link each time the customer opens billing settings. 503 `stripe_unavailable` when Stripe cannot be reached.",
  errors: [404, 422, 503],
  params: customerPath,
  body: z.strictObject({ return_url: z.url().max(2000).optional().meta({ description: "Where the portal's back link goes (the product's billing settings page)." }) }),
  responses: {
    200: z
      .strictObject({ object: z.literal("payment_setup"), kind: z.literal("billing_portal"), url: z.string(), stripe_customer_id: z.string(), created_at: timestamp })
      .meta({ id: "PaymentSetup", description: "Where to send the customer to manage their payment methods." }),
  },
  handler: async ({ db, clock, params, body, stripe, concerns }) => {
    const customer = await getCustomer(db, params.customer);
    concerns(customer.id);
    const client = await stripe();
    if (!client) throw new DomainError("unavailable", "stripe_unavailable", "Stripe is not configured on this server.");
    const session = await createPaymentSetupSession(db, client, clock, { customerId: customer.id, returnUrl: body.return_url });
    return { status: 200 as const, body: { object: "payment_setup" as const, kind: "billing_portal" as const, url: session.url, stripe_customer_id: session.stripeCustomerId, created_at: session.createdAt.toISOString() } };
  },
});
