import crypto from "node:crypto";
import { eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { creditGrants, customers, type CreditGrant } from "@/db/schema";
import type { Actor } from "@/server/audit/actor";
import { recordAudit } from "@/server/audit/record-audit";
import { parseInput } from "@/server/catalog/parse-input";
import type { Clock } from "@/server/clock";
import { markEntitlementsChanged } from "@/server/entitlements/mark-entitlements-changed";
import { DomainError } from "@/server/errors";
import { emitWebhookEvent } from "@/server/webhooks/emit-webhook-event";
import { creditGrantJson } from "./credit-grant-json";
import { postTransactions } from "@/server/ledger/post-transactions";
import { ensureGrantAccounts, expectPosted, grantCounterAccount, grantLedgerKeys } from "./grant-ledger";
import { issueGrantSchema, type IssueGrantInput } from "./grant-schemas";

export type IssueGrantResult = { grant: CreditGrant; created: boolean };

/**
 * Issues a credit grant: the row, its own non-negative ledger account, and a `credit_grant`
 * transaction (Dr expense:promotions or the customer's receivable for paid credit / Cr the grant),
 * audited, in one database transaction. The caller's idempotency key is claimed first by the
 * row's unique index, so concurrent retries wait for the first and get its grant back.
 */
export async function issueGrant(db: Db, actor: Actor, clock: Clock, rawInput: IssueGrantInput): Promise<IssueGrantResult> {
  const input = parseInput(issueGrantSchema, rawInput);
  const now = clock.now();
  return db.transaction(async (tx) => {
    const [customer] = await tx.select({ id: customers.id, currency: customers.currency }).from(customers).where(eq(customers.id, input.customerId));
    if (!customer) throw new DomainError("not_found", "customer_not_found", "No such customer.");
    const currency = input.currency ?? customer.currency;
    const effectiveAt = input.effectiveAt ?? now;
    if (input.expiresAt && input.expiresAt.getTime() <= effectiveAt.getTime()) {
      throw new DomainError("invalid", "grant_expiry_invalid", "The expiry must be after the grant takes effect.");
    }
    const id = crypto.randomUUID();
    const [inserted] = await tx
      .insert(creditGrants)
      .values({
        id,
        customerId: input.customerId,
        amountMicros: input.amountMicros,
        currency,
        category: input.category,
        appliesTo: input.appliesTo.type,
        productKeys: input.appliesTo.type === "products" ? input.appliesTo.productKeys : [],
        meterKeys: input.appliesTo.type === "meters" ? input.appliesTo.meterKeys : [],
        effectiveAt,
        expiresAt: input.expiresAt,
        priority: input.priority,
        source: input.source,
        sourceReference: input.sourceReference,
        reason: input.reason,
        idempotencyKey: input.idempotencyKey,
        createdBy: actor.label,
        createdAt: now,
      })
      .onConflictDoNothing({ target: creditGrants.idempotencyKey })
      .returning();
    if (!inserted) return { grant: await existingGrant(tx, input.idempotencyKey, input.customerId, input.amountMicros, currency), created: false };

    const accountId = await ensureGrantAccounts(tx, inserted);
    const { results } = await postTransactions(
      tx,
      [
        {
          idempotencyKey: grantLedgerKeys.issue(id),
          kind: "credit_grant",
          actor,
          effectiveAt: now,
          description: `${input.category} credit (${input.source})`,
          references: { customerId: input.customerId, grantId: id },
          entries: [
            { accountCode: grantCounterAccount(input.category, input.customerId), direction: "debit", amount: input.amountMicros, currency },
            { accountId, direction: "credit", amount: input.amountMicros, currency },
          ],
        },
      ],
      { clock },
    );
    const transactionId = expectPosted(results[0], "the credit grant");
    const [grant] = await tx
      .update(creditGrants)
      .set({ ledgerAccountId: accountId, ledgerTransactionId: transactionId })
      .where(eq(creditGrants.id, id))
      .returning();
    await recordAudit(tx, {
      actor,
      action: "grant.issue",
      objectType: "customer",
      objectId: input.customerId,
      reason: input.reason || null,
      after: grant,
      metadata: { grantId: id },
    });
    await markEntitlementsChanged(tx, input.customerId);
    await emitWebhookEvent(tx, { type: "credit.granted", customerId: input.customerId, data: { object: creditGrantJson({ ...grant!, remainingMicros: grant!.amountMicros, state: effectiveAt.getTime() > now.getTime() ? "scheduled" : "active" }) }, at: now });
    return { grant: grant!, created: true };
  });
}

async function existingGrant(db: Db, idempotencyKey: string, customerId: string, amountMicros: bigint, currency: string): Promise<CreditGrant> {
  const [grant] = await db.select().from(creditGrants).where(eq(creditGrants.idempotencyKey, idempotencyKey));
  if (!grant) throw new Error("grants: idempotency key conflicted but no grant holds it");
  if (grant.customerId !== customerId || grant.amountMicros !== amountMicros || grant.currency !== currency) {
    throw new DomainError("conflict", "grant_idempotency_conflict", "This idempotency key already issued a different grant; use a new key.");
  }
  return grant;
}
