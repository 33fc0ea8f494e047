import { and, asc, eq, inArray, isNotNull, isNull, lte, notInArray } from "drizzle-orm";
import type { Db } from "@/db/client";
import { creditGrants } from "@/db/schema";
import { systemActor } from "@/server/audit/actor";
import { recordAudit } from "@/server/audit/record-audit";
import type { Clock } from "@/server/clock";
import { itemFailure, type ItemFailure } from "@/server/jobs/item-failures";
import { markEntitlementsChanged } from "@/server/entitlements/mark-entitlements-changed";
import { postTransactions } from "@/server/ledger/post-transactions";
import type { TransferInput } from "@/server/ledger/types";
import { expectPosted, expiryAccount, grantLedgerKeys } from "./grant-ledger";
import { grantLimits } from "./grant-schemas";
import { readGrantBalances } from "./read-grant-balances";

export type ExpireGrantsResult = {
  grantsExpired: number;
  remainderMicros: Record<string, string>;
  batches: number;
  more: boolean;
  /** Grants that could not be expired (the others were); they stay due for the next run. */
  failed: ItemFailure[];
};

export const grantItemKey = (grantId: string) => `grant:${grantId}`;

const actor = systemActor("grants:expire");

/**
 * Moves the remainder of every grant past its expiry out of the grant account: to
 * `expense:promotions` (promotional, goodwill: the cost booked at issue is taken back) or to
 * `revenue:breakage` (paid). Each batch locks its grants with `skip locked`, so concurrent runs
 * split the work; the ledger key derived from the grant id and `expired_at` make it once per grant.
 * Bounded: at most `expiryBatchesPerRunMax` batches per run; `more` says the next run has work left.
 */
export async function expireGrants(db: Db, clock: Clock): Promise<ExpireGrantsResult> {
  const now = clock.now();
  const totals = new Map<string, bigint>();
  const failed: ItemFailure[] = [];
  const skipIds = new Set<string>();
  const addTotals = (batch: Map<string, bigint>) => {
    for (const [currency, amount] of batch) totals.set(currency, (totals.get(currency) ?? 0n) + amount);
  };
  let grantsExpired = 0;
  let batches = 0;
  let more = false;
  while (batches < grantLimits.expiryBatchesPerRunMax) {
    let expired = 0;
    try {
      const batch = await db.transaction((tx) => expireBatch(tx, clock, now, { skipIds }));
      expired = batch.expired;
      addTotals(batch.totals);
    } catch {
      // One bad grant must not hold back the batch: each grant of it alone; the failing ones are recorded and skipped.
      for (const id of await dueGrantIds(db, now, skipIds)) {
        try {
          const one = await db.transaction((tx) => expireBatch(tx, clock, now, { skipIds, onlyId: id }));
          expired += one.expired;
          addTotals(one.totals);
        } catch (error) {
          failed.push(itemFailure(grantItemKey(id), error));
          skipIds.add(id);
        }
      }
    }
    batches++;
    grantsExpired += expired;
    more = expired === grantLimits.expiryBatchMax;
    if (!more) break;
  }
  const remainderMicros = Object.fromEntries([...totals].map(([currency, amount]) => [currency, amount.toString()]));
  return { grantsExpired, remainderMicros, batches, more, failed };
}

function dueCondition(now: Date, skipIds: ReadonlySet<string>) {
  return and(
    isNull(creditGrants.expiredAt),
    isNotNull(creditGrants.expiresAt),
    lte(creditGrants.expiresAt, now),
    skipIds.size > 0 ? notInArray(creditGrants.id, [...skipIds]) : undefined,
  );
}

async function dueGrantIds(db: Db, now: Date, skipIds: ReadonlySet<string>): Promise<string[]> {
  const rows = await db
    .select({ id: creditGrants.id })
    .from(creditGrants)
    .where(dueCondition(now, skipIds))
    .orderBy(asc(creditGrants.expiresAt), asc(creditGrants.id))
    .limit(grantLimits.expiryBatchMax);
  return rows.map((row) => row.id);
}

async function expireBatch(
  db: Db,
  clock: Clock,
  now: Date,
  options: { skipIds: ReadonlySet<string>; onlyId?: string },
): Promise<{ expired: number; totals: Map<string, bigint> }> {
  const totals = new Map<string, bigint>();
  const grants = await db
    .select()
    .from(creditGrants)
    .where(and(dueCondition(now, options.skipIds), options.onlyId === undefined ? undefined : eq(creditGrants.id, options.onlyId)))
    .orderBy(asc(creditGrants.expiresAt), asc(creditGrants.id))
    .limit(grantLimits.expiryBatchMax)
    .for("update", { skipLocked: true });
  if (grants.length === 0) return { expired: 0, totals };
  const remainders = await readGrantBalances(db, grants);
  const items: TransferInput[] = [];
  for (const grant of grants) {
    const remainder = remainders.get(grant.id) ?? 0n;
    if (remainder <= 0n || !grant.ledgerAccountId) continue;
    items.push({
      idempotencyKey: grantLedgerKeys.expire(grant.id),
      kind: "credit_expiry",
      actor,
      effectiveAt: grant.expiresAt!,
      description: `Unused ${grant.category} credit expired`,
      references: { customerId: grant.customerId, grantId: grant.id },
      entries: [
        { accountId: grant.ledgerAccountId, direction: "debit", amount: remainder, currency: grant.currency },
        { accountCode: expiryAccount(grant.category), direction: "credit", amount: remainder, currency: grant.currency },
      ],
    });
    totals.set(grant.currency, (totals.get(grant.currency) ?? 0n) + remainder);
  }
  if (items.length > 0) {
    const { results } = await postTransactions(db, items, { clock });
    results.forEach((result, index) => expectPosted(result, `the expiry of ${items[index]!.idempotencyKey}`));
  }
  const ids = grants.map((grant) => grant.id);
  await db.update(creditGrants).set({ expiredAt: now }).where(inArray(creditGrants.id, ids));
  for (const grant of grants) {
    await recordAudit(db, {
      actor,
      action: "grant.expire",
      objectType: "customer",
      objectId: grant.customerId,
      reason: "The credit reached its expiry date.",
      after: { grantId: grant.id, remainderMicros: remainders.get(grant.id) ?? 0n },
      metadata: { grantId: grant.id },
    });
  }
  for (const customerId of [...new Set(grants.map((grant) => grant.customerId))].sort()) await markEntitlementsChanged(db, customerId);
  return { expired: grants.length, totals };
}

