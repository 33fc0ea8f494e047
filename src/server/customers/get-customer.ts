import { eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { customers, type Customer } from "@/db/schema";
import { DomainError } from "@/server/errors";

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** By Tally id or by the product's external id. */
export async function getCustomer(db: Db, idOrExternalId: string): Promise<Customer> {
  const column = uuidPattern.test(idOrExternalId) ? customers.id : customers.externalId;
  const [customer] = await db.select().from(customers).where(eq(column, idOrExternalId)).limit(1);
  if (!customer) {
    throw new DomainError("not_found", "customer_not_found", `No customer has the id "${idOrExternalId}".`);
  }
  return customer;
}
