import { and, eq, ne } from "drizzle-orm";
import type { Db } from "@/db/client";
import { customers, subscriptions, type Customer } from "@/db/schema";
import type { Actor } from "@/server/audit/actor";
import { recordAudit } from "@/server/audit/record-audit";
import type { Clock } from "@/server/clock";
import { DomainError } from "@/server/errors";
import { customerEvents } from "./customer-events";

/**
 * Archives a customer the product no longer serves: hidden from lists (unless asked for), no new
 * subscription, no further changes; history, invoices and the ledger stay. Refused while a
 * subscription is live (cancel it first). Archiving an archived customer returns it unchanged.
 */
export async function archiveCustomer(db: Db, actor: Actor, clock: Clock, input: { customerId: string; reason: string | null }): Promise<Customer> {
  return db.transaction(async (tx) => {
    const [before] = await tx.select().from(customers).where(eq(customers.id, input.customerId)).for("update");
    if (!before) throw new DomainError("not_found", "customer_not_found", "That customer does not exist.");
    if (before.archivedAt !== null) return before;
    const [live] = await tx
      .select({ id: subscriptions.id })
      .from(subscriptions)
      .where(and(eq(subscriptions.customerId, before.id), ne(subscriptions.status, "canceled")))
      .limit(1);
    if (live) throw new DomainError("precondition", "customer_has_live_subscription", "This customer has a live subscription; cancel it now before archiving the customer.");
    const now = clock.now();
    const [after] = await tx.update(customers).set({ archivedAt: now, updatedAt: now }).where(eq(customers.id, before.id)).returning();
    if (!after) throw new Error("update returned no row");
    await recordAudit(tx, { actor, action: "customer.archive", objectType: "customer", objectId: after.id, reason: input.reason, before: { archivedAt: null }, after: { archivedAt: now } });
    await customerEvents.updated(tx, after, before);
    return after;
  });
}
