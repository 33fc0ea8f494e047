import { eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { customers, type Customer, type CustomerKind } from "@/db/schema";
import type { Actor } from "@/server/audit/actor";
import { systemClock, type Clock } from "@/server/clock";
import { DomainError } from "@/server/errors";
import type { MetadataPatch } from "./customer-metadata";
import { updateLocked } from "./upsert-customer";

export type UpdateCustomerInput = { customerId: string; name?: string; email?: string; kind?: CustomerKind; metadata?: MetadataPatch; reason: string | null };

/** Contact details, kind and metadata only; money and plans change through their own domains. A no-op records nothing. */
export async function updateCustomer(db: Db, actor: Actor, input: UpdateCustomerInput, clock: Clock = systemClock): Promise<Customer> {
  return db.transaction(async (tx) => {
    const [before] = await tx.select().from(customers).where(eq(customers.id, input.customerId)).for("update");
    if (!before) throw new DomainError("not_found", "customer_not_found", "That customer does not exist.");
    const result = await updateLocked(tx, actor, clock.now(), before, { name: input.name, email: input.email, kind: input.kind, metadata: input.metadata, reason: input.reason });
    return result.customer;
  });
}
