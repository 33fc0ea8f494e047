import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";
import { ts } from "../ledger-sql";
import type { Month } from "./month";

/** One condition of a month's close. A `blocking` check that is not ok stops the close. */
export type CloseCheckResult = { code: string; ok: boolean; blocking: boolean; message: string };

export type CloseCheckContext = {
  month: Month;
  /** The trial balance at the month's end, per currency, from the snapshot being written. */
  trialBalance: Array<{ currency: string; debits: bigint; credits: bigint }>;
};

export type CloseCheck = (db: Db, context: CloseCheckContext) => Promise<CloseCheckResult>;

const trialBalanceBalances: CloseCheck = async (_db, { trialBalance }) => {
  const off = trialBalance.filter((row) => row.debits !== row.credits);
  return off.length === 0
    ? { code: "trial_balance_balanced", ok: true, blocking: true, message: "Debits equal credits in every currency at the month's end." }
    : {
        code: "trial_balance_balanced",
        ok: false,
        blocking: true,
        message: `The trial balance does not balance in ${off.map((row) => row.currency.toUpperCase()).join(", ")}: run ledger:verify and fix the ledger before closing.`,
      };
};

/**
 * Tally's invoices issued in the month that differ from Stripe's (billing-sync's comparison).
 * Shown, not blocking: they have no acknowledgement of their own. The reconciliation
 * discrepancies (obs, #13) plug in here as a blocking check once `listDiscrepancies` is on main:
 * open for the month and not acknowledged → the close refuses.
 */
const invoiceDifferences: CloseCheck = async (db, { month }) => {
  const [row] = await executeRows<{ invoices: string }>(
    db,
    sql`select count(distinct d.invoice_id)::text as invoices from invoice_discrepancies d join invoices i on i.id = d.invoice_id
        where i.issued_at >= ${ts(month.start)} and i.issued_at < ${ts(month.end)}`,
  );
  const count = Number(row?.invoices ?? 0);
  return count === 0
    ? { code: "stripe_invoice_differences", ok: true, blocking: false, message: "Every invoice of the month agrees with Stripe's." }
    : { code: "stripe_invoice_differences", ok: false, blocking: false, message: `${count} invoice(s) of the month differ from Stripe's (see each invoice's Stripe check).` };
};

/** The checks a close runs, in order. Add a check here; it runs inside the close's transaction. */
export const closeChecks: CloseCheck[] = [trialBalanceBalances, invoiceDifferences];
