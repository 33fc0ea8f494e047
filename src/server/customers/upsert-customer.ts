import { eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { customers, type Customer, type CustomerKind } from "@/db/schema";
import type { Actor } from "@/server/audit/actor";
import { recordAudit } from "@/server/audit/record-audit";
import type { Clock } from "@/server/clock";
import { DomainError } from "@/server/errors";
import { applyMetadataPatch, sameMetadata, type MetadataPatch } from "./customer-metadata";
import { customerEvents } from "./customer-events";

export type UpsertCustomerInput = {
  /** The product's own id for the customer (usage events name it as `subject`). */
  externalId: string;
  email: string;
  /** Defaults to the email on creation; unchanged when absent on an existing customer. */
  name?: string;
  kind?: CustomerKind;
  /** Lower-case ISO 4217; fixed once the customer exists. */
  currency?: string;
  metadata?: MetadataPatch;
  reason?: string;
  /** `refuse`: 409 `customer_exists` instead of updating (the console's "New customer"). Default `update`. */
  ifExists?: "update" | "refuse";
};

export type UpsertCustomerResult = { customer: Customer; created: boolean; changed: boolean };

/**
 * Creates the customer with this external id, or brings the existing one up to date (name,
 * email, kind, metadata merged): the product calls it at every sign-up or profile change and
 * never creates a duplicate, under any concurrency (the unique external id decides; a loser of
 * the insert race updates instead). Archived customers and a change of currency are refused.
 */
export async function upsertCustomer(db: Db, actor: Actor, clock: Clock, input: UpsertCustomerInput): Promise<UpsertCustomerResult> {
  const now = clock.now();
  return db.transaction(async (tx) => {
    const inserted = await tx
      .insert(customers)
      .values({
        externalId: input.externalId,
        email: input.email,
        name: input.name ?? input.email,
        kind: input.kind ?? "individual",
        currency: input.currency ?? "usd",
        metadata: applyMetadataPatch({}, input.metadata),
        createdAt: now,
        updatedAt: now,
      })
      .onConflictDoNothing({ target: customers.externalId })
      .returning();
    const created = inserted[0];
    if (created) {
      await recordAudit(tx, { actor, action: "customer.create", objectType: "customer", objectId: created.id, reason: input.reason ?? null, after: describe(created) });
      await customerEvents.created(tx, created);
      return { customer: created, created: true, changed: true };
    }
    const [before] = await tx.select().from(customers).where(eq(customers.externalId, input.externalId)).for("update");
    if (!before) throw new Error(`customer ${input.externalId} vanished during upsert`);
    if (input.ifExists === "refuse") throw new DomainError("conflict", "customer_exists", `A customer with the external id "${input.externalId}" already exists (${before.name}); open it instead.`, { customerId: before.id }, { param: "externalId" });
    return updateLocked(tx, actor, now, before, { name: input.name, email: input.email, kind: input.kind, metadata: input.metadata, currency: input.currency, reason: input.reason ?? null });
  });
}

export type CustomerChange = { name?: string; email?: string; kind?: CustomerKind; metadata?: MetadataPatch; currency?: string; reason: string | null };

/** Applies a change to a customer row locked `for update` in `tx`; a no-op changes and records nothing. */
export async function updateLocked(tx: Db, actor: Actor, now: Date, before: Customer, change: CustomerChange): Promise<UpsertCustomerResult> {
  if (before.archivedAt !== null) {
    throw new DomainError("precondition", "customer_archived", `This customer was archived on ${before.archivedAt.toISOString()}; archived customers cannot be changed.`);
  }
  if (change.currency !== undefined && change.currency !== before.currency) {
    throw new DomainError("conflict", "currency_mismatch", `This customer is billed in ${before.currency.toUpperCase()}; a customer's currency cannot change.`, undefined, { param: "currency" });
  }
  const next = {
    name: change.name ?? before.name,
    email: change.email ?? before.email,
    kind: change.kind ?? before.kind,
    metadata: applyMetadataPatch(before.metadata, change.metadata),
  };
  const changed = next.name !== before.name || next.email !== before.email || next.kind !== before.kind || !sameMetadata(next.metadata, before.metadata);
  if (!changed) return { customer: before, created: false, changed: false };
  const [after] = await tx
    .update(customers)
    .set({ ...next, updatedAt: now })
    .where(eq(customers.id, before.id))
    .returning();
  if (!after) throw new Error("update returned no row");
  await recordAudit(tx, { actor, action: "customer.update", objectType: "customer", objectId: after.id, reason: change.reason, before: describe(before), after: describe(after) });
  await customerEvents.updated(tx, after, before);
  return { customer: after, created: false, changed: true };
}

function describe(customer: Customer) {
  return { externalId: customer.externalId, name: customer.name, email: customer.email, kind: customer.kind, currency: customer.currency, metadata: customer.metadata };
}
