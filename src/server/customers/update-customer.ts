import { eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { customers } from "@/db/schema";
import type { Actor } from "@/server/audit/actor";
import { recordAudit } from "@/server/audit/record-audit";
import { DomainError } from "@/server/errors";

export type UpdateCustomerInput = { customerId: string; name?: string; email?: string; reason: string };

/** Contact details only; money and plans change through their own domains. */
export async function updateCustomer(db: Db, actor: Actor, input: UpdateCustomerInput) {
  return db.transaction(async (tx) => {
    const [before] = await tx.select().from(customers).where(eq(customers.id, input.customerId)).for("update");
    if (!before) throw new DomainError("not_found", "customer_not_found", "That customer does not exist.");
    const [after] = await tx
      .update(customers)
      .set({ name: input.name ?? before.name, email: input.email ?? before.email, updatedAt: new Date() })
      .where(eq(customers.id, input.customerId))
      .returning();
    if (!after) throw new Error("update returned no row");
    await recordAudit(tx, {
      actor,
      action: "customer.update",
      objectType: "customer",
      objectId: after.id,
      reason: input.reason,
      before: { name: before.name, email: before.email },
      after: { name: after.name, email: after.email },
    });
    return after;
  });
}
