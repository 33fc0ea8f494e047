import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { stripeBalanceTransactions, stripePayouts } from "@/db/schema";
import { summarizePayout, type PayoutRecord } from "./payout-record";

/** Rows per insert statement (the transactions of one payout can be many thousands). */
const balanceTransactionsPerStatementMax = 500;

/**
 * Mirrors a payout and the balance transactions it paid out. The payout row follows the mirror's
 * rule (a write never lands over one from a newer event); balance transactions are immutable in
 * Stripe but for their status, and are written in id order so concurrent writers of the same
 * payout never deadlock.
 */
export async function upsertStripePayout(db: Db, record: PayoutRecord, write: { eventCreated: Date | null; now: Date }): Promise<void> {
  const summary = summarizePayout(record);
  const transactions = [...record.transactions].sort((a, b) => (a.stripeId < b.stripeId ? -1 : a.stripeId > b.stripeId ? 1 : 0));
  for (let offset = 0; offset < transactions.length; offset += balanceTransactionsPerStatementMax) {
    const chunk = transactions.slice(offset, offset + balanceTransactionsPerStatementMax);
    await db
      .insert(stripeBalanceTransactions)
      .values(
        chunk.map((transaction) => ({
          stripeId: transaction.stripeId,
          payoutId: record.stripeId,
          type: transaction.type,
          reportingCategory: transaction.reportingCategory,
          sourceId: transaction.sourceId,
          amount: transaction.amountMinor,
          fee: transaction.feeMinor,
          net: transaction.netMinor,
          currency: transaction.currency,
          status: transaction.status,
          availableOn: transaction.availableOn,
          stripeCreated: transaction.created,
          syncedAt: write.now,
        })),
      )
      .onConflictDoUpdate({
        target: stripeBalanceTransactions.stripeId,
        set: { payoutId: sql`excluded.payout_id`, status: sql`excluded.status`, syncedAt: sql`excluded.synced_at` },
      });
  }
  await db
    .insert(stripePayouts)
    .values({
      stripeId: record.stripeId,
      livemode: record.livemode,
      stripeCreated: record.created,
      lastEventCreated: write.eventCreated,
      syncedAt: write.now,
      amount: record.amountMinor,
      currency: record.currency,
      status: record.status,
      arrivalDate: record.arrivalDate,
      automatic: record.automatic,
      method: record.method,
      failureCode: record.failureCode,
      failureMessage: record.failureMessage,
      gross: summary.grossMinor,
      fee: summary.feeMinor,
      paymentCount: summary.paymentCount,
      refundCount: summary.refundCount,
    })
    .onConflictDoUpdate({
      target: stripePayouts.stripeId,
      set: {
        lastEventCreated: sql`greatest(excluded.last_event_created, ${stripePayouts.lastEventCreated})`,
        syncedAt: sql`excluded.synced_at`,
        amount: sql`excluded.amount`,
        status: sql`excluded.status`,
        arrivalDate: sql`excluded.arrival_date`,
        failureCode: sql`excluded.failure_code`,
        failureMessage: sql`excluded.failure_message`,
        gross: sql`excluded.gross`,
        fee: sql`excluded.fee`,
        paymentCount: sql`excluded.payment_count`,
        refundCount: sql`excluded.refund_count`,
      },
      setWhere: sql`${stripePayouts.lastEventCreated} is null or excluded.last_event_created is null or excluded.last_event_created >= ${stripePayouts.lastEventCreated}`,
    });
}
