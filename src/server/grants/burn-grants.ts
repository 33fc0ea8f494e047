import { and, eq, gt, isNull, lte, or } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { creditBurns, creditGrants, type CreditBurn } from "@/db/schema";
import type { Actor } from "@/server/audit/actor";
import { parseInput } from "@/server/catalog/parse-input";
import { systemClock, type Clock } from "@/server/clock";
import { DomainError } from "@/server/errors";
import { ledgerAccountCodes } from "@/server/ledger/account-codes";
import { ensureAccounts } from "@/server/ledger/ensure-accounts";
import { postTransactions } from "@/server/ledger/post-transactions";
import { planBurn, type BurnCandidate } from "./burn-order";
import { expectPosted, grantLedgerKeys } from "./grant-ledger";
import { amountMicrosSchema, grantLimits, idempotencyKeySchema } from "./grant-schemas";
import { readGrantBalances } from "./read-grant-balances";

const burnGrantsSchema = z.object({
  customerId: z.uuid(),
  currency: z.string().regex(/^[a-z]{3}$/),
  amountMicros: amountMicrosSchema,
  scope: z.object({ productKey: z.string().min(1).max(100).nullish(), meterKey: z.string().min(1).max(100).nullish() }).default({}),
  at: z.date(),
  idempotencyKey: idempotencyKeySchema,
});

export type BurnGrantsInput = z.input<typeof burnGrantsSchema> & { actor: Actor };

export type BurnGrantsResult = {
  burnId: string;
  /** Per grant, in burn order: how much of this usage it paid for. */
  covered: Array<{ grantId: string; amountMicros: bigint }>;
  coveredMicros: bigint;
  uncoveredMicros: bigint;
  /** The `credit_burn` ledger transaction; null when no credit applied. */
  ledgerTransactionId: string | null;
  /** False when this idempotency key had already been burned: the first result, unchanged. */
  created: boolean;
};

/**
 * Pays for `amountMicros` of usage (scope: the product and meter it was for) from the customer's
 * credit grants in burn-down order (see burn-order.ts and README), as one `credit_burn` ledger
 * transaction: Dr each grant taken from / Cr `customer:<id>:unbilled`. Exactly once per
 * idempotency key: the key is claimed first (a unique row, so a concurrent retry waits and then
 * reads the first result), grants are locked (`for update`, id order) before their balances are
 * read, and the ledger's non-negative accounts refuse any overdraw regardless.
 */
export async function burnGrants(db: Db, rawInput: BurnGrantsInput, options: { clock?: Clock } = {}): Promise<BurnGrantsResult> {
  const { actor } = rawInput;
  const input = parseInput(burnGrantsSchema, rawInput);
  const clock = options.clock ?? systemClock;
  return db.transaction(async (tx) => {
    const [claimed] = await tx
      .insert(creditBurns)
      .values({
        idempotencyKey: input.idempotencyKey,
        customerId: input.customerId,
        currency: input.currency,
        amountMicros: input.amountMicros,
        coveredMicros: 0n,
        productKey: input.scope.productKey ?? null,
        meterKey: input.scope.meterKey ?? null,
        at: input.at,
        allocations: [],
        createdAt: clock.now(),
      })
      .onConflictDoNothing({ target: creditBurns.idempotencyKey })
      .returning();
    if (!claimed) return existingBurn(tx, input);

    const candidates = await lockCandidates(tx, input.customerId, input.currency, input.at);
    const plan = planBurn(candidates, input.amountMicros, input.scope, input.at, grantLimits.grantsPerBurnMax);
    let ledgerTransactionId: string | null = null;
    if (plan.allocations.length > 0) {
      const [unbilled] = await ensureAccounts(tx, [
        { code: ledgerAccountCodes.customerUnbilled(input.customerId), kind: "asset", currency: input.currency, customerId: input.customerId },
      ]);
      const accountByGrant = new Map(candidates.map((candidate) => [candidate.id, candidate.accountId]));
      const { results } = await postTransactions(
        tx,
        [
          {
            idempotencyKey: grantLedgerKeys.burn(input.idempotencyKey),
            kind: "credit_burn",
            actor,
            effectiveAt: input.at,
            description: "Usage covered by credit",
            references: { customerId: input.customerId },
            metadata: { burnId: claimed.id, ...(input.scope.productKey ? { productKey: input.scope.productKey } : {}), ...(input.scope.meterKey ? { meterKey: input.scope.meterKey } : {}) },
            entries: [
              ...plan.allocations.map((allocation) => ({
                accountId: accountByGrant.get(allocation.grantId)!,
                direction: "debit" as const,
                amount: allocation.amountMicros,
                currency: input.currency,
              })),
              { accountId: unbilled!.id, direction: "credit" as const, amount: plan.coveredMicros, currency: input.currency },
            ],
          },
        ],
        { clock },
      );
      ledgerTransactionId = expectPosted(results[0], "the credit burn");
    }
    const allocations = plan.allocations.map((allocation) => ({ grantId: allocation.grantId, amountMicros: allocation.amountMicros.toString() }));
    await tx
      .update(creditBurns)
      .set({ coveredMicros: plan.coveredMicros, allocations, ledgerTransactionId })
      .where(eq(creditBurns.id, claimed.id));
    return {
      burnId: claimed.id,
      covered: plan.allocations,
      coveredMicros: plan.coveredMicros,
      uncoveredMicros: plan.uncoveredMicros,
      ledgerTransactionId,
      created: true,
    };
  });
}

type LockedCandidate = BurnCandidate & { accountId: string };

/** Live grants of the customer in this currency, locked in id order (so concurrent burns and expiry never deadlock), with balances read after the lock. */
async function lockCandidates(db: Db, customerId: string, currency: string, at: Date): Promise<LockedCandidate[]> {
  const rows = await db
    .select()
    .from(creditGrants)
    .where(
      and(
        eq(creditGrants.customerId, customerId),
        eq(creditGrants.currency, currency),
        isNull(creditGrants.expiredAt),
        lte(creditGrants.effectiveAt, at),
        or(isNull(creditGrants.expiresAt), gt(creditGrants.expiresAt, at)),
      ),
    )
    .orderBy(creditGrants.id)
    .limit(grantLimits.listMax * 5)
    .for("update");
  const withAccounts = rows.filter((row): row is typeof row & { ledgerAccountId: string } => row.ledgerAccountId !== null);
  const balances = await readGrantBalances(db, withAccounts);
  return withAccounts.map((row) => ({
    id: row.id,
    accountId: row.ledgerAccountId,
    priority: row.priority,
    category: row.category,
    effectiveAt: row.effectiveAt,
    expiresAt: row.expiresAt,
    appliesTo: row.appliesTo,
    productKeys: row.productKeys,
    meterKeys: row.meterKeys,
    availableMicros: balances.get(row.id) ?? 0n,
  }));
}

async function existingBurn(db: Db, input: z.output<typeof burnGrantsSchema>): Promise<BurnGrantsResult> {
  const [burn] = await db.select().from(creditBurns).where(eq(creditBurns.idempotencyKey, input.idempotencyKey));
  if (!burn) throw new Error("grants: burn key conflicted but no burn holds it");
  if (!sameBurn(burn, input)) {
    throw new DomainError("conflict", "burn_idempotency_conflict", "This idempotency key was already used for a different burn; use a new key.");
  }
  const covered = burn.allocations.map((allocation) => ({ grantId: allocation.grantId, amountMicros: BigInt(allocation.amountMicros) }));
  return {
    burnId: burn.id,
    covered,
    coveredMicros: burn.coveredMicros,
    uncoveredMicros: burn.amountMicros - burn.coveredMicros,
    ledgerTransactionId: burn.ledgerTransactionId,
    created: false,
  };
}

function sameBurn(burn: CreditBurn, input: z.output<typeof burnGrantsSchema>): boolean {
  return (
    burn.customerId === input.customerId &&
    burn.currency === input.currency &&
    burn.amountMicros === input.amountMicros &&
    burn.productKey === (input.scope.productKey ?? null) &&
    burn.meterKey === (input.scope.meterKey ?? null) &&
    burn.at.getTime() === input.at.getTime()
  );
}

