import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";

export type InvoiceAccuracyMonth = {
  month: Date;
  invoices: number;
  exactFirstAttempt: number;
  exactAfterCorrection: number;
  never: number;
  notCompared: number;
  correctedMicros: bigint;
  /** exactFirstAttempt / compared invoices, 0–1; null when none was compared. */
  firstAttemptShare: number | null;
};

type Row = { month: Date | string; invoices: string; exact_first: string; exact_after: string; never: string; not_compared: string; corrected_micros: string };

/**
 * Invoice accuracy per month of period invoices (by period start) in [from, to): of the period
 * invoices linked to Stripe and compared, how many equalled Stripe's to the cent at the first
 * comparison (no line or total difference ever recorded, by the billing sync or by
 * reconciliation), after a correction (differences were recorded and are gone now), or never
 * (still differ); and the amount corrected, from Stripe's credit notes when the mirror has them,
 * else the total differences that were cleared. Written to `invoice_accuracy`, one row a month.
 */
export async function computeInvoiceAccuracy(db: Db, window: { from: Date; to: Date; now: Date }): Promise<InvoiceAccuracyMonth[]> {
  const rows = await executeRows<Row>(
    db,
    sql`with inv as (
          select i.id, date_trunc('month', i.period_start, 'UTC') as month, i.stripe_invoice_id,
                 exists (select 1 from stripe_invoice_checks c where c.invoice_id = i.id) as compared,
                 exists (select 1 from invoice_discrepancies d where d.invoice_id = i.id) as differs_now,
                 exists (select 1 from reconciliation_discrepancies r where r.invoice_id = i.id and r.kind = 'invoice_stripe' and r.status = 'open') as open_now,
                 exists (select 1 from reconciliation_discrepancies r where r.invoice_id = i.id and r.kind = 'invoice_stripe') as ever_differed,
                 coalesce((select sum(r.amount_micros) from reconciliation_discrepancies r
                           where r.invoice_id = i.id and r.kind = 'invoice_stripe' and r.status = 'resolved'
                             and r.objects ->> 'field' = 'total'), 0) as corrected_micros
          from invoices i
          where i.kind = 'period' and i.status <> 'draft' and i.status <> 'void'
            and i.period_start >= date_trunc('month', ${window.from.toISOString()}::timestamptz, 'UTC') and i.period_start < ${window.to.toISOString()}::timestamptz
        )
        select month, count(*)::text as invoices,
               count(*) filter (where compared and not differs_now and not open_now and not ever_differed)::text as exact_first,
               count(*) filter (where compared and not differs_now and not open_now and ever_differed)::text as exact_after,
               count(*) filter (where compared and (differs_now or open_now))::text as never,
               count(*) filter (where not compared)::text as not_compared,
               sum(corrected_micros)::text as corrected_micros
        from inv group by month order by month`,
  );
  const months = rows.map((row): InvoiceAccuracyMonth => {
    const exactFirstAttempt = Number(row.exact_first);
    const exactAfterCorrection = Number(row.exact_after);
    const never = Number(row.never);
    const compared = exactFirstAttempt + exactAfterCorrection + never;
    return {
      month: new Date(row.month),
      invoices: Number(row.invoices),
      exactFirstAttempt,
      exactAfterCorrection,
      never,
      notCompared: Number(row.not_compared),
      correctedMicros: BigInt(row.corrected_micros ?? "0"),
      firstAttemptShare: compared === 0 ? null : exactFirstAttempt / compared,
    };
  });
  for (const month of months) {
    await executeRows(
      db,
      sql`insert into invoice_accuracy (month, invoices, exact_first_attempt, exact_after_correction, never, not_compared, corrected_micros, computed_at)
          values (${month.month.toISOString()}::timestamptz, ${month.invoices}, ${month.exactFirstAttempt}, ${month.exactAfterCorrection}, ${month.never},
                  ${month.notCompared}, ${month.correctedMicros.toString()}::bigint, ${window.now.toISOString()}::timestamptz)
          on conflict (month) do update set invoices = excluded.invoices, exact_first_attempt = excluded.exact_first_attempt,
            exact_after_correction = excluded.exact_after_correction, never = excluded.never, not_compared = excluded.not_compared,
            corrected_micros = excluded.corrected_micros, computed_at = excluded.computed_at`,
    );
  }
  return months;
}

/** The stored accuracy of the months in [from, to), oldest first (at most 120). */
export async function listInvoiceAccuracy(db: Db, window: { from: Date; to: Date }): Promise<InvoiceAccuracyMonth[]> {
  const rows = await executeRows<{ month: Date | string; invoices: number; exact_first_attempt: number; exact_after_correction: number; never: number; not_compared: number; corrected_micros: string }>(
    db,
    sql`select month, invoices, exact_first_attempt, exact_after_correction, never, not_compared, corrected_micros::text as corrected_micros
        from invoice_accuracy where month >= date_trunc('month', ${window.from.toISOString()}::timestamptz, 'UTC') and month < ${window.to.toISOString()}::timestamptz
        order by month limit 120`,
  );
  return rows.map((row) => {
    const compared = row.exact_first_attempt + row.exact_after_correction + row.never;
    return {
      month: new Date(row.month),
      invoices: row.invoices,
      exactFirstAttempt: row.exact_first_attempt,
      exactAfterCorrection: row.exact_after_correction,
      never: row.never,
      notCompared: row.not_compared,
      correctedMicros: BigInt(row.corrected_micros),
      firstAttemptShare: compared === 0 ? null : row.exact_first_attempt / compared,
    };
  });
}
