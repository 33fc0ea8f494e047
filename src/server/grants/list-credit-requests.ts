import { and, asc, desc, eq, type SQL } from "drizzle-orm";
import type { Db } from "@/db/client";
import { creditRequests, customers, type CreditRequest, type CreditRequestStatus } from "@/db/schema";

export type CreditRequestView = CreditRequest & { customerName: string; customerExternalId: string };

export const creditRequestsPageMax = 200;

/** Credit requests by status (pending: oldest first, the approvers' queue; others newest first), optionally of one customer. */
export async function listCreditRequests(
  db: Db,
  input: { status: CreditRequestStatus; customerId?: string; limit?: number },
): Promise<CreditRequestView[]> {
  const conditions: SQL[] = [eq(creditRequests.status, input.status)];
  if (input.customerId) conditions.push(eq(creditRequests.customerId, input.customerId));
  const rows = await db
    .select({ request: creditRequests, customerName: customers.name, customerExternalId: customers.externalId })
    .from(creditRequests)
    .innerJoin(customers, eq(customers.id, creditRequests.customerId))
    .where(and(...conditions))
    .orderBy(input.status === "pending" ? asc(creditRequests.createdAt) : desc(creditRequests.createdAt), asc(creditRequests.id))
    .limit(Math.min(input.limit ?? 100, creditRequestsPageMax));
  return rows.map((row) => ({ ...row.request, customerName: row.customerName, customerExternalId: row.customerExternalId }));
}
