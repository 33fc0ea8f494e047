import { desc } from "drizzle-orm";
import type { Db } from "@/db/client";
import { accountingPeriods, type AccountingPeriod } from "@/db/schema";
import { executeRows } from "@/db/execute";
import { sql } from "drizzle-orm";

/** Every month that was ever closed, newest first (a few hundred at most: one per month). */
export async function listAccountingPeriods(db: Db): Promise<AccountingPeriod[]> {
  return db.select().from(accountingPeriods).orderBy(desc(accountingPeriods.periodStart)).limit(1200);
}

/** End of the latest closed month (nothing may take effect before it), or null. */
export async function getClosedThrough(db: Db): Promise<Date | null> {
  const [row] = await executeRows<{ through: string | null }>(db, sql`select ledger_closed_through()::text as through`);
  return row?.through ? new Date(row.through) : null;
}

/** The closed months' starts, oldest first (the snapshots' boundaries). */
export async function listClosedMonthStarts(db: Db): Promise<Date[]> {
  const rows = await executeRows<{ start_ms: string }>(
    db,
    sql`select (extract(epoch from period_start) * 1000)::int8::text as start_ms from accounting_periods where status = 'closed' order by period_start`,
  );
  return rows.map((row) => new Date(Number(row.start_ms)));
}
