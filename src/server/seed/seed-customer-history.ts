import { and, asc, eq, inArray, sql } from "drizzle-orm";
import type Stripe from "stripe";
import type { Db } from "@/db/client";
import { apiKeys, apiRequestLog, customerNotes, customers, stripeWebhookEvents, users } from "@/db/schema";
import type { Clock } from "@/server/clock";
import { demoStripeCustomerId } from "@/server/stripe/seed-demo-payments";
import { upsertStripeCustomer } from "@/server/stripe/upsert-mirror";

const notesCount = 120;
const requestsCount = 150;
const eventsCount = 90;
const minuteMs = 60_000;

const noteTexts = [
  "Asked why the March invoice is higher than February's; walked through the usage breakdown.",
  "Promised to look into the duplicate charge; Stripe shows one charge only.",
  "Customer wants invoices sent to their finance mailbox as well.",
  "Explained how credits burn before paid usage.",
  "Upgrade discussed: they expect twice the API volume next quarter.",
  "Card expiring next month; reminded them to update it.",
];
const requests = [
  { method: "GET", path: "/api/v1/customers/{id}", operationId: "getCustomer", status: 200, errorCode: null },
  { method: "GET", path: "/api/v1/customers/{id}/upcoming_invoice", operationId: "getUpcomingInvoice", status: 200, errorCode: null },
  { method: "POST", path: "/api/v1/subscriptions", operationId: "createSubscription", status: 409, errorCode: "subscription_exists" },
  { method: "GET", path: "/api/v1/customers/{id}/entitlements", operationId: "listCustomerEntitlements", status: 200, errorCode: null },
  { method: "POST", path: "/api/v1/customers/{id}/spend_limit", operationId: "setSpendLimit", status: 422, errorCode: "invalid_request" },
  { method: "GET", path: "/api/v1/invoices/{id}", operationId: "getInvoice", status: 500, errorCode: "internal_error" },
] as const;
const eventTypes = ["invoice.paid", "charge.succeeded", "customer.updated", "payment_intent.succeeded", "invoice.finalized"];

/**
 * A long history for the first customer of the console's customer list (by name), so its notes,
 * API activity and Stripe events each fill more than one page of their lists: notes by the demo's
 * support and admin users, API requests of every answer class over the last 30 days, and Stripe
 * events received for its Stripe customer (linked here, as the sync would). Idempotent: nothing is
 * added when the customer already has notes.
 */
export async function seedCustomerHistory(db: Db, clock: Clock): Promise<string> {
  const [customer] = await db.select({ id: customers.id, externalId: customers.externalId, email: customers.email, name: customers.name }).from(customers).orderBy(asc(sql`lower(${customers.name})`), asc(customers.id)).limit(1);
  if (!customer) return "no customer";
  const [existing] = await db.select({ id: customerNotes.id }).from(customerNotes).where(eq(customerNotes.customerId, customer.id)).limit(1);
  if (existing) return `already there (${customer.name})`;
  const now = clock.now().getTime();
  const authors = await db.select({ id: users.id, email: users.email }).from(users).where(inArray(users.role, ["support", "admin"])).orderBy(users.email).limit(3);
  const writers = authors.length > 0 ? authors : [{ id: "system:seed", email: "seed" }];
  await db.insert(customerNotes).values(
    Array.from({ length: notesCount }, (_, index) => {
      const author = writers[index % writers.length]!;
      // Some notes written in the same minute: the list's order among them is by id.
      return { customerId: customer.id, body: noteTexts[index % noteTexts.length]!, authorId: author.id, authorLabel: author.email, createdAt: new Date(now - Math.floor(index / 2) * 97 * minuteMs) };
    }),
  );
  const [key] = await db.select({ id: apiKeys.id }).from(apiKeys).orderBy(apiKeys.createdAt).limit(1);
  await db.insert(apiRequestLog).values(
    Array.from({ length: requestsCount }, (_, index) => {
      const request = requests[index % requests.length]!;
      return {
        requestId: `req_demo_history_${String(index).padStart(3, "0")}`,
        apiKeyId: key?.id ?? null,
        operationId: request.operationId,
        method: request.method,
        path: request.path.replace("{id}", customer.externalId),
        status: request.status,
        errorCode: request.errorCode,
        customerId: customer.id,
        idempotencyKey: request.method === "POST" ? `demo-history-${index}` : null,
        replayed: request.method === "POST" && index % 5 === 0,
        durationMs: 8 + ((index * 37) % 120),
        createdAt: new Date(now - index * 4 * 60 * minuteMs),
      };
    }),
  );
  const stripeCustomerId = demoStripeCustomerId(customer.externalId);
  const createdAt = new Date(now - 90 * 24 * 60 * minuteMs);
  await upsertStripeCustomer(
    db,
    { id: stripeCustomerId, object: "customer", livemode: false, created: Math.floor(createdAt.getTime() / 1000), email: customer.email, name: customer.name, metadata: { tally_customer_id: customer.id } } as unknown as Stripe.Customer,
    { customerId: customer.id, eventCreated: createdAt, now: new Date(now) },
  );
  await db
    .insert(stripeWebhookEvents)
    .values(
      Array.from({ length: eventsCount }, (_, index) => {
        const type = eventTypes[index % eventTypes.length]!;
        const id = `evt_demo_history_${String(index).padStart(3, "0")}`;
        const receivedAt = new Date(now - index * 7 * 60 * minuteMs);
        return {
          id,
          type,
          created: new Date(receivedAt.getTime() - 2_000),
          payload: { id, object: "event", type, data: { object: { customer: stripeCustomerId } } },
          stripeCustomerId,
          receivedAt,
          status: "processed" as const,
          attempts: 1,
          nextAttemptAt: receivedAt,
          processedAt: new Date(receivedAt.getTime() + 1_000),
        };
      }),
    )
    .onConflictDoNothing();
  const [linked] = await db.select({ count: sql<number>`count(*)::int` }).from(stripeWebhookEvents).where(and(eq(stripeWebhookEvents.stripeCustomerId, stripeCustomerId)));
  return `${customer.name}: ${notesCount} notes, ${requestsCount} API requests, ${linked?.count ?? 0} Stripe events`;
}
