import { and, eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { customers, stripeCustomers } from "@/db/schema";

/** The live Stripe customer id of a Tally customer, or null before the first sync. */
export async function getStripeCustomerId(db: Db, customerId: string): Promise<string | null> {
  const [row] = await db
    .select({ stripeId: stripeCustomers.stripeId })
    .from(stripeCustomers)
    .where(and(eq(stripeCustomers.customerId, customerId), eq(stripeCustomers.deleted, false)))
    .limit(1);
  return row?.stripeId ?? null;
}

/** The Tally customer of a Stripe customer: its metadata first, else the mirror's link. */
export async function getTallyCustomerId(db: Db, stripeCustomerId: string | null, metadata?: Record<string, string> | null): Promise<string | null> {
  const fromMetadata = metadata?.tally_customer_id;
  if (fromMetadata && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(fromMetadata)) {
    // Metadata is editable in Stripe's dashboard: trust it only for a customer that exists.
    const [known] = await db.select({ id: customers.id }).from(customers).where(eq(customers.id, fromMetadata)).limit(1);
    if (known) return known.id;
  }
  if (stripeCustomerId === null) return null;
  const [row] = await db.select({ customerId: stripeCustomers.customerId }).from(stripeCustomers).where(eq(stripeCustomers.stripeId, stripeCustomerId)).limit(1);
  return row?.customerId ?? null;
}
