import { eq } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { creditGrants, creditRequests, customers, type CreditGrant, type CreditRequest, type Role } from "@/db/schema";
import type { Actor } from "@/server/audit/actor";
import { recordAudit } from "@/server/audit/record-audit";
import { parseInput } from "@/server/catalog/parse-input";
import type { Clock } from "@/server/clock";
import { DomainError } from "@/server/errors";
import { getCreditLimit } from "./credit-limits";
import { amountMicrosSchema, grantLimits } from "./grant-schemas";
import { issueGrant } from "./issue-grant";

export const requestCreditSchema = z.object({
  customerId: z.uuid(),
  amountMicros: amountMicrosSchema,
  reason: z.string().trim().min(3, "Say why (at least 3 characters).").max(grantLimits.reasonLengthMax),
  expiresAt: z.date().nullable().default(null),
  /** Generated once per dialog by the console: the same id returns the first result. */
  requestId: z.uuid(),
});
export type RequestCreditInput = z.input<typeof requestCreditSchema>;

export type RequestCreditResult = { request: CreditRequest; grant: CreditGrant | null; outcome: "issued" | "pending_approval" | "rejected" };

/**
 * A person asks for a goodwill credit. Within their role's limit it is issued at once; above it,
 * it waits for a finance or admin user other than the requester (see decide-credit-request.ts).
 * The request id is claimed first by a unique index, so a double click or a retry returns the
 * first result and never issues twice.
 */
export async function requestCredit(db: Db, actor: Actor, role: Role, clock: Clock, rawInput: RequestCreditInput): Promise<RequestCreditResult> {
  const input = parseInput(requestCreditSchema, rawInput);
  const now = clock.now();
  if (input.expiresAt && input.expiresAt.getTime() <= now.getTime()) {
    throw new DomainError("invalid", "grant_expiry_invalid", "The expiry must be in the future.");
  }
  return db.transaction(async (tx) => {
    const [customer] = await tx.select({ currency: customers.currency }).from(customers).where(eq(customers.id, input.customerId));
    if (!customer) throw new DomainError("not_found", "customer_not_found", "No such customer.");
    const limitMicros = await getCreditLimit(tx, role);
    const withinLimit = input.amountMicros <= limitMicros;
    const [request] = await tx
      .insert(creditRequests)
      .values({
        requestKey: input.requestId,
        customerId: input.customerId,
        amountMicros: input.amountMicros,
        currency: customer.currency,
        reason: input.reason,
        expiresAt: input.expiresAt,
        status: "pending",
        requestedBy: actor.id,
        requestedByLabel: actor.label,
        requesterRole: role,
        limitMicros,
        createdAt: now,
      })
      .onConflictDoNothing({ target: creditRequests.requestKey })
      .returning();
    if (!request) return existingRequest(tx, input, actor);
    if (!withinLimit) {
      await recordAudit(tx, {
        actor,
        action: "grant.request",
        objectType: "customer",
        objectId: input.customerId,
        reason: input.reason,
        after: request,
        metadata: { creditRequestId: request.id, limitMicros: limitMicros.toString() },
      });
      return { request, grant: null, outcome: "pending_approval" };
    }
    const { grant } = await issueGrant(tx, actor, clock, {
      customerId: input.customerId,
      amountMicros: input.amountMicros,
      category: "goodwill",
      expiresAt: input.expiresAt,
      source: "support",
      sourceReference: request.id,
      reason: input.reason,
      idempotencyKey: `credit_request:${request.id}`,
    });
    const [issued] = await tx.update(creditRequests).set({ status: "issued", grantId: grant.id }).where(eq(creditRequests.id, request.id)).returning();
    return { request: issued!, grant, outcome: "issued" };
  });
}

async function existingRequest(db: Db, input: z.output<typeof requestCreditSchema>, actor: Actor): Promise<RequestCreditResult> {
  const [request] = await db.select().from(creditRequests).where(eq(creditRequests.requestKey, input.requestId));
  if (!request) throw new Error("grants: request id conflicted but no request holds it");
  if (request.customerId !== input.customerId || request.amountMicros !== input.amountMicros || request.requestedBy !== actor.id) {
    throw new DomainError("conflict", "credit_request_id_reused", "This request id was already used for a different credit; open the dialog again.");
  }
  const grant = request.grantId ? await getGrantById(db, request.grantId) : null;
  const outcome = request.status === "pending" ? "pending_approval" : request.status === "rejected" ? "rejected" : "issued";
  return { request, grant, outcome };
}

async function getGrantById(db: Db, grantId: string): Promise<CreditGrant | null> {
  const [grant] = await db.select().from(creditGrants).where(eq(creditGrants.id, grantId));
  return grant ?? null;
}
