import { eq } from "drizzle-orm";
import type Stripe from "stripe";
import { z } from "zod";
import type { Db } from "@/db/client";
import { customers } from "@/db/schema";
import type { Clock } from "@/server/clock";
import { DomainError } from "@/server/errors";
import { getStripeCustomerId } from "./get-stripe-customer-link";
import { stripeIdempotencyKeys } from "./idempotency-keys";
import { stripeWrite } from "./stripe-write";
import { upsertStripeCustomer } from "./upsert-mirror";

export const syncCustomerInput = z.object({
  customerId: z.uuid(),
  /** Attach a new Stripe customer to a test clock (tests and simulations only). */
  testClockId: z.string().startsWith("clock_").max(100).optional(),
});
export type SyncCustomerInput = z.infer<typeof syncCustomerInput>;
export type SyncCustomerResult = { stripeCustomerId: string; action: "created" | "updated" | "unchanged" };

/**
 * Pushes a Tally customer to Stripe: creates the Stripe customer on first sync (metadata
 * `tally_customer_id`, idempotency key `tally:customer:<id>:create`), afterwards updates name
 * and email when they differ. The mirror row is the link, so a second create is never attempted.
 */
export async function syncCustomer(db: Db, stripe: Stripe, clock: Clock, rawInput: SyncCustomerInput): Promise<SyncCustomerResult> {
  const input = syncCustomerInput.parse(rawInput);
  const [customer] = await db.select().from(customers).where(eq(customers.id, input.customerId));
  if (!customer) throw new DomainError("not_found", "customer_not_found", `Customer ${input.customerId} does not exist.`);
  const desired = { name: customer.name, email: customer.email, metadata: { tally_customer_id: customer.id, tally_external_id: customer.externalId } };
  const existingId = await getStripeCustomerId(db, customer.id);
  if (existingId === null) {
    const created = await stripeWrite(
      db,
      { operation: "customer.create", objectType: "customer", objectId: customer.id, idempotencyKey: stripeIdempotencyKeys.customerCreate(customer.id) },
      (options) => stripe.customers.create({ ...desired, ...(input.testClockId ? { test_clock: input.testClockId } : {}) }, options),
    );
    await upsertStripeCustomer(db, created, { customerId: customer.id, eventCreated: null, now: clock.now() });
    return { stripeCustomerId: created.id, action: "created" };
  }
  const current = await stripe.customers.retrieve(existingId);
  if ("deleted" in current && current.deleted) {
    throw new DomainError("precondition", "stripe_customer_deleted", `Stripe customer ${existingId} was deleted in Stripe; unlink it before syncing again.`);
  }
  const live = current as Stripe.Customer;
  const same = live.name === desired.name && live.email === desired.email && live.metadata.tally_customer_id === customer.id;
  if (same) {
    await upsertStripeCustomer(db, live, { customerId: customer.id, eventCreated: null, now: clock.now() });
    return { stripeCustomerId: existingId, action: "unchanged" };
  }
  const updated = await stripeWrite(
    db,
    { operation: "customer.update", objectType: "customer", objectId: customer.id, idempotencyKey: stripeIdempotencyKeys.customerUpdate(customer.id, desired) },
    (options) => stripe.customers.update(existingId, desired, options),
  );
  await upsertStripeCustomer(db, updated, { customerId: customer.id, eventCreated: null, now: clock.now() });
  return { stripeCustomerId: existingId, action: "updated" };
}
