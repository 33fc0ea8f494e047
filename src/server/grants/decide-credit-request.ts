import { eq } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { creditRequests, type CreditGrant, type CreditRequest } from "@/db/schema";
import type { Actor } from "@/server/audit/actor";
import { recordAudit } from "@/server/audit/record-audit";
import { parseInput } from "@/server/catalog/parse-input";
import type { Clock } from "@/server/clock";
import { DomainError } from "@/server/errors";
import { issueGrant } from "./issue-grant";

export const decideCreditRequestSchema = z.object({
  creditRequestId: z.uuid(),
  decision: z.enum(["approve", "reject"]),
  note: z.string().trim().max(500).default(""),
});
export type DecideCreditRequestInput = z.input<typeof decideCreditRequestSchema>;
export type DecideCreditRequestResult = { request: CreditRequest; grant: CreditGrant | null };

/**
 * Maker-checker: a finance or admin user (the permission is checked by the caller) approves or
 * rejects a pending credit request, never their own (`approver_is_requester`; a CHECK constraint
 * says the same). The request row is locked first, so of two concurrent approvals one issues the
 * grant and the other finds it decided (`credit_request_not_pending`).
 */
export async function decideCreditRequest(db: Db, actor: Actor, clock: Clock, rawInput: DecideCreditRequestInput): Promise<DecideCreditRequestResult> {
  const input = parseInput(decideCreditRequestSchema, rawInput);
  const now = clock.now();
  return db.transaction(async (tx) => {
    const [request] = await tx.select().from(creditRequests).where(eq(creditRequests.id, input.creditRequestId)).for("update");
    if (!request) throw new DomainError("not_found", "credit_request_not_found", "No such credit request.");
    if (request.requestedBy === actor.id) {
      throw new DomainError("forbidden", "approver_is_requester", "You asked for this credit; another finance or admin user must decide it.");
    }
    if (request.status !== "pending") {
      throw new DomainError("conflict", "credit_request_not_pending", `This request was already ${request.status} by ${request.decidedByLabel ?? "someone else"}.`);
    }
    if (input.decision === "reject" && input.note.length < 3) {
      throw new DomainError("invalid", "decision_note_required", "Say why the credit is rejected (at least 3 characters).");
    }
    let grant: CreditGrant | null = null;
    if (input.decision === "approve") {
      if (request.expiresAt && request.expiresAt.getTime() <= now.getTime()) {
        throw new DomainError("precondition", "credit_request_expiry_passed", "The requested expiry has already passed; reject this request and ask for a new one.");
      }
      ({ grant } = await issueGrant(tx, actor, clock, {
        customerId: request.customerId,
        amountMicros: request.amountMicros,
        currency: request.currency,
        category: "goodwill",
        expiresAt: request.expiresAt,
        source: "support",
        sourceReference: request.id,
        reason: `${request.reason} (requested by ${request.requestedByLabel}, approved by ${actor.label})`.slice(0, 500),
        idempotencyKey: `credit_request:${request.id}`,
      }));
    }
    const [decided] = await tx
      .update(creditRequests)
      .set({
        status: input.decision === "approve" ? "approved" : "rejected",
        decidedBy: actor.id,
        decidedByLabel: actor.label,
        decidedAt: now,
        decisionNote: input.note,
        grantId: grant?.id ?? null,
      })
      .where(eq(creditRequests.id, request.id))
      .returning();
    await recordAudit(tx, {
      actor,
      action: input.decision === "approve" ? "grant.request.approve" : "grant.request.reject",
      objectType: "customer",
      objectId: request.customerId,
      reason: input.note || null,
      before: request,
      after: decided,
      metadata: { creditRequestId: request.id },
    });
    return { request: decided!, grant };
  });
}
