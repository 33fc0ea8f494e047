import type Stripe from "stripe";
import { DomainError } from "@/server/errors";
import { payoutRecordFromStripe, type PayoutRecord } from "./payout-record";

/** A daily payout of a busy account carries many thousands of payments; past this, something is wrong. */
export const balanceTransactionsPerPayoutMax = 200_000;

/**
 * A payout and every balance transaction it paid out, paged 100 at a time (Stripe's maximum) with
 * `starting_after`. A manual payout has no such list in Stripe (it cannot say what a manual payout
 * paid out), so it comes back with none.
 */
export async function fetchPayoutRecord(stripe: Stripe, payoutOrId: string | Stripe.Payout): Promise<PayoutRecord> {
  const payout = typeof payoutOrId === "string" ? await stripe.payouts.retrieve(payoutOrId) : payoutOrId;
  const listed: Stripe.BalanceTransaction[] = [];
  if (payout.automatic) {
    for await (const transaction of stripe.balanceTransactions.list({ payout: payout.id, limit: 100 })) {
      listed.push(transaction);
      if (listed.length > balanceTransactionsPerPayoutMax) {
        throw new DomainError("too_large", "stripe_payout_too_large", `Payout ${payout.id} lists more than ${balanceTransactionsPerPayoutMax} balance transactions; raise the bound after checking it.`);
      }
    }
  }
  return payoutRecordFromStripe(payout, listed);
}
