/**
 * Dunning policy (see README.md).
 * - Grace: usage-based features keep working for `gracePeriodDays` after the first failed
 *   attempt (default 7, env `TALLY_DUNNING_GRACE_DAYS`, 0–60); then `dunning:enforce` restricts them.
 * - Write-off: when Stripe gives up (subscription `unpaid`/`canceled` after the retries, or the
 *   invoice marked uncollectible), the open amount is written off once:
 *   Dr `expense:bad_debt` / Cr `customer:<id>:receivable`, key `dunning:write-off:<in_id>`.
 *   A later payment of that invoice reverses the write-off once (key `…:recovered`).
 */
export const defaultGracePeriodDays = 7;
export const gracePeriodDaysMax = 60;
const dayMs = 86_400_000;

export function configuredGracePeriodDays(env: Record<string, string | undefined> = process.env): number {
  const raw = env.TALLY_DUNNING_GRACE_DAYS;
  if (raw === undefined || raw.trim() === "") return defaultGracePeriodDays;
  const days = Number(raw);
  if (!Number.isInteger(days) || days < 0 || days > gracePeriodDaysMax) throw new Error(`TALLY_DUNNING_GRACE_DAYS must be a whole number of days from 0 to ${gracePeriodDaysMax}`);
  return days;
}

export function graceEnd(firstFailedAt: Date, days: number): Date {
  return new Date(firstFailedAt.getTime() + days * dayMs);
}

export const dunningLedgerKeys = {
  writeOff: (stripeInvoiceId: string) => `dunning:write-off:${stripeInvoiceId}`,
  writeOffRecovered: (stripeInvoiceId: string) => `dunning:write-off:${stripeInvoiceId}:recovered`,
} as const;

export const dunningNotificationKinds = {
  paymentFailed: "dunning.payment_failed",
  restricted: "dunning.restricted",
  recovered: "dunning.recovered",
  invoiceLink: "dunning.invoice_link",
  writtenOff: "dunning.written_off",
} as const;
