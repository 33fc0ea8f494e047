import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";
import type { Clock } from "@/server/clock";
import { ledgerAccountCodes } from "@/server/ledger/account-codes";
import type { PayoutBalanceTransaction, PayoutRecord } from "./payout-record";
import { postPayout } from "./post-payout";
import { upsertStripePayout } from "./upsert-payout-mirror";

const dayMs = 86_400_000;
/** Bounds the demo: a few thousand seeded payments and refunds. */
const seededMovementsMax = 20_000;
const microsPerCent = 10_000n;

type Movement = { transaction_id: string; kind: "payment" | "refund"; effective_at: Date | string; amount: string };

/**
 * Demo data: the Stripe payouts the seeded payments and refunds would have made, as the emulator
 * makes them (a charge available at midnight two days later less Stripe's 2.9% + 30¢, a refund at
 * once, one payout a day of what became available, arriving the next day), mirrored and posted
 * like a `payout.paid` webhook. Only payouts that have arrived by now; idempotent (a movement
 * already paid out is skipped, ids derive from the ledger's). Sub-cent remainders of the migrated
 * books (Stripe moves whole cents) stay in Cash at Stripe.
 */
export async function seedDemoPayouts(db: Db, clock: Clock): Promise<string> {
  const now = clock.now();
  const movements = await executeRows<Movement>(
    db,
    sql`select t.id as transaction_id, t.kind, e.effective_at, e.amount::text as amount
        from ledger_entries e
        join ledger_accounts a on a.id = e.account_id and a.code = ${ledgerAccountCodes.cashStripe()}
        join ledger_transactions t on t.id = e.transaction_id and t.kind in ('payment', 'refund')
        where e.phase = 'posted' and e.effective_at < ${now.toISOString()}::timestamptz
          and not exists (select 1 from stripe_balance_transactions b where b.stripe_id = 'txn_seed_' || t.id::text)
        order by e.effective_at, t.id
        limit ${seededMovementsMax}`,
  );
  const runs = new Map<number, PayoutBalanceTransaction[]>();
  for (const movement of movements) {
    const transaction = balanceTransactionOf(movement);
    if (transaction === null) continue;
    const runAt = Math.ceil(transaction.availableOn.getTime() / dayMs) * dayMs;
    runs.set(runAt, [...(runs.get(runAt) ?? []), transaction]);
  }
  let carried: PayoutBalanceTransaction[] = [];
  let paidOut = 0;
  for (const runAt of [...runs.keys()].sort((a, b) => a - b)) {
    const transactions = [...carried, ...(runs.get(runAt) ?? [])];
    const net = transactions.reduce((sum, transaction) => sum + transaction.netMinor, 0n);
    const arrivalDate = new Date(runAt + dayMs);
    // A negative day waits for the next one's payments, as Stripe's balance does; a future arrival waits for a later seed.
    if (net <= 0n || arrivalDate > now) {
      carried = transactions;
      continue;
    }
    carried = [];
    const record: PayoutRecord = {
      // The day and the first movement (the random end of its id: ledger ids start with their time), so a
      // later seed's payout of the same day gets its own id.
      stripeId: `po_seed_${new Date(runAt).toISOString().slice(0, 10).replaceAll("-", "")}_${transactions[0]!.stripeId.slice(-8)}`,
      livemode: false,
      created: new Date(runAt),
      amountMinor: net,
      currency: "usd",
      status: "paid",
      arrivalDate,
      automatic: true,
      method: "standard",
      failureCode: null,
      failureMessage: null,
      transactions,
    };
    await upsertStripePayout(db, record, { eventCreated: null, now });
    await postPayout(db, clock, record);
    paidOut += 1;
  }
  return `${paidOut} payouts of ${movements.length} seeded payments and refunds`;
}

function balanceTransactionOf(movement: Movement): PayoutBalanceTransaction | null {
  const created = new Date(movement.effective_at);
  const micros = BigInt(movement.amount);
  const cents = (micros < 0n ? -micros : micros) / microsPerCent;
  if (cents === 0n) return null;
  const charge = movement.kind === "payment" && micros > 0n;
  const amountMinor = charge ? cents : -cents;
  const feeMinor = charge ? (cents * 29n + 500n) / 1000n + 30n : 0n;
  const midnight = Math.floor(created.getTime() / dayMs) * dayMs;
  return {
    stripeId: `txn_seed_${movement.transaction_id}`,
    type: charge ? "charge" : "refund",
    reportingCategory: charge ? "charge" : "refund",
    sourceId: null,
    amountMinor,
    feeMinor,
    netMinor: amountMinor - feeMinor,
    currency: "usd",
    status: "available",
    availableOn: charge ? new Date(midnight + 2 * dayMs) : created,
    created,
  };
}
