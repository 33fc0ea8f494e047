import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";

/**
 * Money a promotion moved, from the ledger (by currency of its credits, normally one):
 * - granted: credit issued by its redemptions;
 * - burned: usage those credits paid for (`credit_burn` debits on the grants' accounts);
 * - expired: what expired unused (`credit_expiry`);
 * - outstanding: still on the grants (granted − burned − expired);
 * - cost so far: the net promotional expense booked = granted − expired (= burned + outstanding),
 *   since a promotional credit is expensed when granted and the expense is taken back on expiry.
 * Discounts and allowances cost nothing in the ledger until billing applies them.
 */
export type PromotionStats = {
  promotionId: string;
  redemptions: number;
  currency: string | null;
  grantedMicros: bigint;
  burnedMicros: bigint;
  expiredMicros: bigint;
  outstandingMicros: bigint;
  costMicros: bigint;
};

export async function getPromotionStats(db: Db, promotionIds: readonly string[]): Promise<Map<string, PromotionStats>> {
  if (promotionIds.length === 0) return new Map();
  const ids = sql`${`{${promotionIds.join(",")}}`}::uuid[]`;
  const rows = await executeRows<{ promotion_id: string; redemptions: number; currency: string | null; granted: string; burned: string; expired: string }>(
    db,
    sql`with promotion_grants as (
          select r.promotion_id, g.id, g.currency, g.amount_micros, g.ledger_account_id
          from promotion_redemptions r join credit_grants g on g.id = r.grant_id
          where r.promotion_id = any(${ids})
        ), moved as (
          select pg.promotion_id,
                 coalesce(sum(e.amount) filter (where t.kind = 'credit_burn'), 0) as burned,
                 coalesce(sum(e.amount) filter (where t.kind = 'credit_expiry'), 0) as expired
          from promotion_grants pg
          join ledger_entries e on e.account_id = pg.ledger_account_id and e.phase = 'posted' and e.amount > 0
          join ledger_transactions t on t.id = e.transaction_id
          group by pg.promotion_id
        ), granted as (
          select promotion_id, min(currency) as currency, sum(amount_micros) as granted from promotion_grants group by promotion_id
        )
        select p.id as promotion_id, p.redemption_count as redemptions, g.currency,
               coalesce(g.granted, 0)::text as granted, coalesce(m.burned, 0)::text as burned, coalesce(m.expired, 0)::text as expired
        from promotions p left join granted g on g.promotion_id = p.id left join moved m on m.promotion_id = p.id
        where p.id = any(${ids})`,
  );
  return new Map(
    rows.map((row) => {
      const granted = BigInt(row.granted);
      const burned = BigInt(row.burned);
      const expired = BigInt(row.expired);
      return [
        row.promotion_id,
        {
          promotionId: row.promotion_id,
          redemptions: Number(row.redemptions),
          currency: row.currency,
          grantedMicros: granted,
          burnedMicros: burned,
          expiredMicros: expired,
          outstandingMicros: granted - burned - expired,
          costMicros: granted - expired,
        },
      ];
    }),
  );
}
