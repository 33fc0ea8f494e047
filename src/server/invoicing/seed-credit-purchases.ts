import { asc, eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { customers } from "@/db/schema";
import { systemActor } from "@/server/audit/actor";
import type { Clock } from "@/server/clock";
import { purchaseCredits } from "./purchase-credits";

/**
 * Demo: the second team (org_0017_globex-networks) bought $1,000 of prepaid credit — a
 * `credit_purchase` invoice and a paid grant, collected through Stripe like any charge.
 * Idempotent by key.
 */
export async function seedCreditPurchases(db: Db, clock: Clock): Promise<string> {
  const teams = await db.select().from(customers).where(eq(customers.kind, "team")).orderBy(asc(customers.externalId)).limit(2);
  const team = teams[1];
  if (!team) return "skipped (needs the demo teams)";
  const purchase = await purchaseCredits(db, systemActor("seed"), clock, {
    customerId: team.id,
    amountMicros: 1_000_000_000n,
    priority: 200,
    reason: "Prepaid credit bought on an invoice",
    idempotencyKey: `seed:paid:${team.externalId}`,
  });
  return `${team.externalId}: $1,000 of prepaid credit on invoice ${purchase.invoiceNumber} (${purchase.created ? "new" : "already there"})`;
}
