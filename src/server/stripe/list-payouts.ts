import { and, asc, gte, lt } from "drizzle-orm";
import type { Db } from "@/db/client";
import { stripePayouts } from "@/db/schema";
import { DomainError } from "@/server/errors";

export type PayoutListItem = {
  stripeId: string;
  arrivalDate: Date;
  status: string;
  currency: string;
  automatic: boolean;
  /** Minor units of `currency`, as Stripe reports them. */
  grossMinor: bigint;
  feeMinor: bigint;
  amountMinor: bigint;
  paymentCount: number;
  refundCount: number;
};

export const listPayoutsLimitMax = 5000;

/** Payouts arriving in [from, to), oldest first: a daily schedule makes one per day and currency. */
export async function listPayoutsArriving(db: Db, input: { from: Date; to: Date; limit?: number }): Promise<{ items: PayoutListItem[]; truncated: boolean }> {
  const limit = input.limit ?? listPayoutsLimitMax;
  if (!(limit >= 1 && limit <= listPayoutsLimitMax)) throw new DomainError("invalid", "limit_invalid", `List between 1 and ${listPayoutsLimitMax} payouts at once.`);
  const rows = await db
    .select()
    .from(stripePayouts)
    .where(and(gte(stripePayouts.arrivalDate, input.from), lt(stripePayouts.arrivalDate, input.to)))
    .orderBy(asc(stripePayouts.arrivalDate), asc(stripePayouts.stripeId))
    .limit(limit + 1);
  return {
    truncated: rows.length > limit,
    items: rows.slice(0, limit).map((row) => ({
      stripeId: row.stripeId,
      arrivalDate: row.arrivalDate,
      status: row.status,
      currency: row.currency,
      automatic: row.automatic,
      grossMinor: row.gross,
      feeMinor: row.fee,
      amountMinor: row.amount,
      paymentCount: row.paymentCount,
      refundCount: row.refundCount,
    })),
  };
}
