import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";
import { listDiscrepancies } from "@/server/reconciliation/list-discrepancies";
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
 * Shown, not blocking: the reconciliation check below covers them once `reconcile` has run.
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

const discrepancyPagesMax = 20;

/**
 * Reconciliation (`listDiscrepancies`): no open discrepancy of the month — its window overlaps the
 * month, or, without a window, it was first seen in it — unless someone acknowledged it (its
 * `reconciliation` anomaly — subject `discrepancy:<id>`, or `invoice_discrepancy:<invoice>` — is
 * acknowledged, resolved or dismissed).
 */
const reconciliationClean: CloseCheck = async (db, { month }) => {
  const open: Array<{ id: string; invoiceId: string | null; description: string }> = [];
  let cursor: string | undefined;
  for (let page = 0; page < discrepancyPagesMax; page++) {
    const result = await listDiscrepancies(db, { status: "open", limit: 200, cursor });
    for (const item of result.items) {
      const inMonth = item.periodStart && item.periodEnd
        ? item.periodStart < month.end && item.periodEnd > month.start
        : item.firstSeenAt >= month.start && item.firstSeenAt < month.end;
      if (inMonth) open.push({ id: item.id, invoiceId: item.invoiceId, description: item.description });
    }
    if (!result.nextCursor) break;
    cursor = result.nextCursor;
  }
  const acknowledged = open.length === 0 ? new Set<string>() : new Set(
    (
      await executeRows<{ subject: string }>(
        db,
        sql`select subject from anomalies where kind = 'reconciliation' and status in ('acknowledged', 'resolved', 'dismissed')
            and subject = any(${`{${open.flatMap((item) => [`discrepancy:${item.id}`, ...(item.invoiceId ? [`invoice_discrepancy:${item.invoiceId}`] : [])]).join(",")}}`}::text[])`,
      )
    ).map((row) => row.subject),
  );
  const blocking = open.filter((item) => !acknowledged.has(`discrepancy:${item.id}`) && !(item.invoiceId && acknowledged.has(`invoice_discrepancy:${item.invoiceId}`)));
  if (blocking.length === 0) {
    return {
      code: "reconciliation_clean",
      ok: true,
      blocking: true,
      message: open.length === 0 ? "No open reconciliation discrepancy for the month." : `${open.length} open reconciliation discrepancy(ies) of the month, each acknowledged.`,
    };
  }
  return {
    code: "reconciliation_clean",
    ok: false,
    blocking: true,
    message: `${blocking.length} open reconciliation discrepancy(ies) of the month are not acknowledged (first: ${blocking[0]!.description}). Resolve them or acknowledge them in the anomaly queue.`,
  };
};

/** The checks a close runs, in order. Add a check here; it runs inside the close's transaction. */
export const closeChecks: CloseCheck[] = [trialBalanceBalances, reconciliationClean, invoiceDifferences];
